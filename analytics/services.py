"""Daily aggregates, recomputed (never incremented) so every refresh is idempotent."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import DailyComplaintStats
from complaints.models import Complaint

_COUNTED = ("created", "acknowledged", "resolved", "closed", "sla_breached")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _breached_q() -> Q:
    return Q(ack_breached_at__isnull=False) | Q(resolve_breached_at__isnull=False)


def _compute_range(start_day: date, end_day: date) -> dict[date, dict[str, int]]:
    """Counts per UTC day in [start_day, end_day]; four grouped queries, whatever the range."""
    start, _ = day_bounds(start_day)
    _, end = day_bounds(end_day)
    result: dict[date, dict[str, int]] = {}

    def fold(field: str, key: str, extra: Q | None = None) -> None:
        qs = Complaint.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        if extra is not None:
            qs = qs.filter(extra)
        rows = (
            qs.annotate(day=TruncDate(field, tzinfo=UTC))
            .values("day")
            .annotate(n=Count("pk"), breached=Count("pk", filter=_breached_q()))
            .order_by()
        )
        for row in rows:
            counts = result.setdefault(row["day"], dict.fromkeys(_COUNTED, 0))
            counts[key] = row["n"]
            if key == "created":
                counts["sla_breached"] = row["breached"]

    fold("created_at", "created")
    fold("acknowledged_at", "acknowledged")
    fold("resolved_at", "resolved")
    fold("closed_at", "closed")
    return result


def refresh_daily_stats_range(*, start_day: date, end_day: date) -> int:
    """Recompute every day in [start_day, end_day] (zero rows included); returns rows written."""
    if end_day < start_day:
        return 0
    computed = _compute_range(start_day, end_day)
    now = timezone.now()
    rows = []
    day = start_day
    while day <= end_day:
        counts = computed.get(day, dict.fromkeys(_COUNTED, 0))
        rows.append(DailyComplaintStats(day=day, refreshed_at=now, **counts))
        day += timedelta(days=1)
    # INSERT ... ON CONFLICT (day) DO UPDATE: concurrent refreshes of one day cannot collide.
    DailyComplaintStats.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=[*_COUNTED, "refreshed_at"],
        batch_size=1000,
    )
    return len(rows)


def refresh_daily_stats(*, day: date) -> DailyComplaintStats:
    """Rebuild the row for one UTC day from the complaints table (idempotent)."""
    refresh_daily_stats_range(start_day=day, end_day=day)
    return DailyComplaintStats.objects.get(day=day)
