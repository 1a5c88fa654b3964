"""GET /api/stats/ for supervisors and admins."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from complaints.stats import CSAT_RATINGS, DEFAULT_DAYS, MAX_DAYS, complaint_stats


class IsSupervisorOrAdmin(BasePermission):
    message = "Only supervisors and admins may see statistics."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in {Role.SUPERVISOR, Role.ADMIN})


class StatsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS)


class CategoryCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    count = serializers.IntegerField()


class DayCountSerializer(serializers.Serializer):
    day = serializers.DateField()
    created = serializers.IntegerField()
    resolved = serializers.IntegerField()


# Field names "1".."5" are not Python identifiers, so the class is built with type().
CsatDistributionSerializer = type(
    "CsatDistributionSerializer",
    (serializers.Serializer,),
    {
        str(r): serializers.IntegerField(help_text=f"Ratings of {r} star(s) in the window.")
        for r in CSAT_RATINGS
    },
)


class CsatSerializer(serializers.Serializer):
    responses = serializers.IntegerField(
        help_text="Feedback given in the window (the last `days` UTC days, today included)."
    )
    average_rating = serializers.FloatField(
        allow_null=True, help_text="Mean rating, 1-5; null when there is no feedback."
    )
    satisfied_share = serializers.FloatField(
        allow_null=True,
        help_text="Share (0-1) of ratings of 4 or 5 stars; null when there is no feedback.",
    )
    distribution = CsatDistributionSerializer(help_text="Number of ratings per star, 1-5.")


class StatsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_priority = serializers.DictField(child=serializers.IntegerField())
    by_category = CategoryCountSerializer(many=True)
    median_seconds_to_acknowledge = serializers.FloatField(allow_null=True)
    median_seconds_to_resolve = serializers.FloatField(allow_null=True)
    sla_decided = serializers.IntegerField(
        help_text="Complaints whose SLA outcome is known (finished, or a due time has passed)."
    )
    sla_breached = serializers.IntegerField()
    sla_breach_rate = serializers.FloatField(allow_null=True)
    days = serializers.IntegerField()
    per_day = DayCountSerializer(many=True)
    csat = CsatSerializer(help_text="Customer satisfaction from the feedback given in the window.")


class StatsView(APIView):
    permission_classes = [IsSupervisorOrAdmin]

    @extend_schema(
        summary="Complaint statistics (supervisors and admins)",
        parameters=[
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                description=f"Window in UTC days, today included, 1-{MAX_DAYS} "
                f"(default {DEFAULT_DAYS}); used by `per_day` and `csat`.",
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
