"""GET /api/stats/ for supervisors and admins."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import SUPERVISOR_ROLES
from analytics.api.serializers import StatsQuerySerializer, StatsSerializer
from analytics.selectors import DEFAULT_DAYS, MAX_DAYS, complaint_stats


class IsSupervisorOrAdmin(BasePermission):
    message = "Only supervisors and admins may see statistics."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in SUPERVISOR_ROLES)


class StatsView(APIView):
    permission_classes = [IsSupervisorOrAdmin]

    @extend_schema(
        summary="Complaint statistics (supervisors and admins)",
        parameters=[
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                description=f"Window in UTC days, today included, 1-{MAX_DAYS} "
                f"(default {DEFAULT_DAYS}); used by `per_day`, `period` and `csat`.",
            )
        ],
        responses={
            200: StatsSerializer,
            400: OpenApiResponse(description="Bad `days`."),
            403: OpenApiResponse(description="Not a supervisor or admin."),
        },
    )
    def get(self, request):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = complaint_stats(days=query.validated_data["days"])
        return Response(StatsSerializer(data).data)
