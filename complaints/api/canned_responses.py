"""Canned responses: /api/canned-responses/ (supervisors manage, agents read) and
/api/complaints/{id}/canned-responses/ (rendered for one complaint). Customers get 404."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.requests import AuthenticatedRequest
from complaints import canned_responses as canned
from complaints import selectors
from complaints.api.serializers import CategoryRefSerializer
from complaints.api.views import COMPLAINT_ID, R400, R401, ErrorOut
from complaints.models import CannedResponse, Category, Complaint

PLACEHOLDER_HELP = "Placeholders: " + "; ".join(
    f"`{{{name}}}` {meaning}" for name, meaning in canned.PLACEHOLDERS.items()
)
R403 = OpenApiResponse(ErrorOut, description="Agents may read canned responses, not write them.")
R404 = OpenApiResponse(
    ErrorOut, description="No such canned response (or complaint); always for customers."
)
CANNED_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CannedResponseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True, help_text=PLACEHOLDER_HELP)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class RenderedCannedResponseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    body = serializers.CharField(read_only=True, help_text="The template.")
    rendered_body = serializers.CharField(
        read_only=True, help_text="The text for the composer, placeholders filled in."
    )


class CannedResponseInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=canned.TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=canned.BODY_MAX_LENGTH, help_text=PLACEHOLDER_HELP)
    category_id = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="Offer it only on this category's complaints; null or absent: on all.",
    )
    is_active = serializers.BooleanField(required=False)

    def to_service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        if "category_id" in data:
            data["category"] = data.pop("category_id")
        return data


class PlaceholderOutSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, help_text="Written `{name}` in a body.")
    description = serializers.CharField(read_only=True)


class CannedResponsePlaceholdersApi(APIView):
    """What a body may use, so clients show it instead of copying the list."""

    @extend_schema(
        operation_id="canned_responses_placeholders",
        summary="The placeholders a canned response body may use (staff)",
        description="Customers get 404.",
        responses={200: PlaceholderOutSerializer(many=True), 401: R401, 404: R404},
        tags=["canned-responses"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        placeholders = canned.placeholder_list(user=request.user)
        return Response(PlaceholderOutSerializer(placeholders, many=True).data)


class CannedResponseListCreateApi(generics.GenericAPIView):
    request: AuthenticatedRequest
    serializer_class = CannedResponseOutSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CannedResponse.objects.none()
        category = self.request.query_params.get("category")
        only_global = category == "global"
        category_id = None
        if category and not only_global:
            field = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
            try:
                category_id = field.run_validation(category)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"category": exc.detail}) from exc
        return canned.canned_response_list(
            user=self.request.user, category_id=category_id, only_global=only_global
        )

    @extend_schema(
        operation_id="canned_responses_list",
        summary="Canned responses (staff)",
        description="Supervisors and admins see inactive ones too. `category=<id>` lists one "
        "category's, `category=global` those offered on every complaint.",
        parameters=[
            OpenApiParameter(
                "category",
                {
                    "anyOf": [
                        {"type": "integer", "minimum": 1},
                        {"type": "string", "enum": ["global"]},
                    ]
                },
                description="A category id, or `global`.",
            )
        ],
        responses={
            200: CannedResponseOutSerializer(many=True),
            400: R400,
            401: R401,
            404: R404,
        },
        tags=["canned-responses"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CannedResponseOutSerializer(page, many=True).data)

    @extend_schema(
        operation_id="canned_responses_create",
        description=f"Supervisors and admins. Unknown placeholders are a 400. {PLACEHOLDER_HELP}",
        request=CannedResponseInSerializer,
        responses={201: CannedResponseOutSerializer, 400: R400, 401: R401, 403: R403, 404: R404},
        tags=["canned-responses"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        canned.ensure_manager(request.user)  # refused before the body is validated
        serializer = CannedResponseInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = canned.canned_response_create(
            actor=request.user, **serializer.to_service_kwargs()
        )
        return Response(CannedResponseOutSerializer(created).data, status=status.HTTP_201_CREATED)


class CannedResponseDetailApi(generics.GenericAPIView):
    serializer_class = CannedResponseOutSerializer

    @extend_schema(
        operation_id="canned_responses_retrieve",
        parameters=[CANNED_ID],
        responses={200: CannedResponseOutSerializer, 401: R401, 404: R404},
        tags=["canned-responses"],
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        found = canned.canned_response_get(user=request.user, canned_response_id=pk)
        return Response(CannedResponseOutSerializer(found).data)

    @extend_schema(
        operation_id="canned_responses_partial_update",
        parameters=[CANNED_ID],
        request=CannedResponseInSerializer,
        responses={200: CannedResponseOutSerializer, 400: R400, 401: R401, 403: R403, 404: R404},
        tags=["canned-responses"],
    )
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        found = canned.canned_response_get(user=request.user, canned_response_id=pk)
        canned.ensure_manager(request.user)
        serializer = CannedResponseInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = canned.canned_response_update(
            canned_response=found, actor=request.user, **serializer.to_service_kwargs()
        )
        return Response(CannedResponseOutSerializer(updated).data)

    @extend_schema(
        operation_id="canned_responses_destroy",
        parameters=[CANNED_ID],
        responses={204: None, 401: R401, 403: R403, 404: R404},
        tags=["canned-responses"],
    )
    def delete(self, request: AuthenticatedRequest, pk: int) -> Response:
        found = canned.canned_response_get(user=request.user, canned_response_id=pk)
        canned.canned_response_delete(canned_response=found, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ComplaintCannedResponsesApi(generics.GenericAPIView):
    serializer_class = RenderedCannedResponseOutSerializer
    queryset = Complaint.objects.none()  # names the path's model for the schema; never read
    pagination_class = None  # a handful per category; the composer needs them all

    @extend_schema(
        operation_id="complaints_canned_responses_list",
        summary="Canned responses for a complaint, rendered for the caller (staff)",
        description="The active canned responses of the complaint's category, then the global "
        "ones, each with `rendered_body` (placeholders filled in for this complaint and the "
        "caller) to put into the reply composer; sending stays the ordinary comment. "
        "Customers get 404.",
        parameters=[COMPLAINT_ID],
        responses={200: RenderedCannedResponseOutSerializer(many=True), 401: R401, 404: R404},
        tags=["canned-responses"],
    )
    def get(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_id=pk)
        offered = canned.canned_responses_for_complaint(user=request.user, complaint=complaint)
        return Response(RenderedCannedResponseOutSerializer(offered, many=True).data)
