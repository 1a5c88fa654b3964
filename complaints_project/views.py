"""Project-level endpoints that belong to no app."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# (name in the answer, URL name): the entry points a client or a person starts from.
API_LINKS = (
    ("docs", "docs"),
    ("redoc", "redoc"),
    ("schema", "schema"),
    ("token", "token-obtain"),
    ("register", "user-register"),
    ("me", "user-me"),
    ("complaints", "complaint-list"),
    ("categories", "category-list"),
    ("stats", "stats"),
)


class ApiRootView(APIView):
    """``GET /api/``: links to the documentation, the schema and the main resources."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        auth=[],
        responses={
            200: inline_serializer(
                "ApiRoot", {name: serializers.URLField() for name, _ in API_LINKS}
            )
        },
        tags=["meta"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            {name: request.build_absolute_uri(reverse(url_name)) for name, url_name in API_LINKS}
        )
