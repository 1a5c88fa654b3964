"""GET /api/stats/ for supervisors and admins."""

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from redis.exceptions import RedisError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import SUPERVISOR_ROLES
from analytics.api.serializers import StatsQuerySerializer, StatsSerializer
from analytics.selectors import DEFAULT_DAYS, MAX_DAYS, complaint_stats


def _shared_for_a_moment(key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, shared by every request for ``ANALYTICS_STATS_CACHE_SECONDS`` (0: never);
    computed without the cache when Redis is unreachable."""
    timeout = settings.ANALYTICS_STATS_CACHE_SECONDS
    if timeout <= 0:
        return compute()
    try:
        hit = cache.get(key)
    except (ConnectionInterrupted, RedisError):
        return compute()
    if hit is not None:
        return hit
    value = compute()
    with suppress(ConnectionInterrupted, RedisError):
        cache.set(key, value, timeout=timeout)
    return value


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
        days = query.validated_data["days"]
        # The same answer for every supervisor: one computation per window, day and moment.
        key = f"analytics:stats:{days}:{timezone.now().astimezone(UTC).date().isoformat()}"
        data = _shared_for_a_moment(key, lambda: StatsSerializer(complaint_stats(days=days)).data)
        return Response(data)
