"""Complaint statistics for supervisors: a fixed number of queries whatever the data size.

Queries: (1) counts by status x priority, (2) counts by category, (3) one aggregate with the
medians and the SLA breach counts, (4) the stored daily aggregates, (5, 6) the live per-day
counts for today and any day the analytics table does not have yet, and (7) one aggregate over
the feedback given in the window (CSAT).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import DailyComplaintStats
from analytics.services import day_bounds
from complaints.models import Category, Complaint, Feedback, Priority
from complaints.policies import ack_late_q, resolve_late_q
from complaints.workflow import FINISHED_STATUSES, Status

DEFAULT_DAYS = 30
MAX_DAYS = 365


class Epoch(Func):
    """Seconds in an interval, as double precision."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
    output_field = FloatField()


class Median(Aggregate):
    """PostgreSQL ``percentile_cont(0.5) WITHIN GROUP (ORDER BY ...)``."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def ack_breached_q(now: datetime) -> Q:
    """The acknowledge clock ran out: acknowledged late, flagged by the SLA scan, or still late."""
    return (
        Q(ack_breached_at__isnull=False) | Q(acknowledged_at__gt=F("ack_due_at")) | ack_late_q(now)
    )


def resolve_breached_q(now: datetime) -> Q:
    """The resolve clock ran out: resolved late, flagged by the SLA scan, or still open and late."""
    return (
        Q(resolve_breached_at__isnull=False)
        | Q(resolved_at__gt=F("resolve_due_at"))
        | resolve_late_q(now)
    )


def sla_decided_q(now: datetime) -> Q:
    """Complaints whose SLA outcome is known: finished, or a clock's due time has passed."""
    return (
        Q(status__in=FINISHED_STATUSES)
        | Q(ack_due_at__lt=now)
        | Q(resolve_due_at__lt=now)
        | Q(resolved_at__isnull=False)
    )


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    resolved: int


def _live_per_day(start: datetime, end: datetime) -> dict[date, dict[str, int]]:
    counts: dict[date, dict[str, int]] = {}
    for field, key in (("created_at", "created"), ("resolved_at", "resolved")):
        rows = (
            Complaint.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(day=TruncDate(field, tzinfo=UTC))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(row["day"], {"created": 0, "resolved": 0})[key] = row["n"]
    return counts


def per_day_series(*, days: int, today: date) -> list[DayCount]:
    """Created/resolved per UTC day for the last ``days`` days (today included), zero-filled."""
    first = today - timedelta(days=days - 1)
    stored = {
        row["day"]: row
        for row in DailyComplaintStats.objects.filter(day__gte=first, day__lt=today).values(
            "day", "created", "resolved"
        )
    }
    wanted = [first + timedelta(days=i) for i in range(days)]
    missing = [d for d in wanted if d == today or d not in stored]
    live = _live_per_day(day_bounds(min(missing))[0], day_bounds(today)[1])
    series = []
    for day in wanted:
        source = stored.get(day) if day != today else None
        if source is None:
            source = live.get(day, {"created": 0, "resolved": 0})
        series.append(DayCount(day=day, created=source["created"], resolved=source["resolved"]))
    return series


CSAT_RATINGS = range(1, 6)
SATISFIED_MIN_RATING = 4


def window_start(*, days: int, today: date) -> datetime:
    """Start (UTC midnight) of the ``days``-day window that ends today, today included."""
    return day_bounds(today - timedelta(days=days - 1))[0]


def csat_stats(*, start: datetime, end: datetime) -> dict:
    """Customer satisfaction from the feedback given in ``[start, end]``, in one aggregate query.

    ``satisfied_share`` is the share of 4-5 star ratings; it and ``average_rating`` are None
    when nobody rated anything in the window. ``distribution`` always has the keys "1".."5".
    """
    agg = Feedback.objects.filter(created_at__gte=start, created_at__lte=end).aggregate(
        responses=Count("pk"),
        average_rating=Avg("rating"),
        satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_MIN_RATING)),
        **{f"r{r}": Count("pk", filter=Q(rating=r)) for r in CSAT_RATINGS},
    )
    responses = agg["responses"]
    average = agg["average_rating"]
    return {
        "responses": responses,
        "average_rating": float(average) if average is not None else None,
        "satisfied_share": (agg["satisfied"] / responses) if responses else None,
        "distribution": {str(r): agg[f"r{r}"] for r in CSAT_RATINGS},
    }


def complaint_stats(*, days: int = DEFAULT_DAYS, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    by_status = {s.value: 0 for s in Status}
    by_priority = {p.label: 0 for p in Priority}
    for row in Complaint.objects.values("status", "priority").annotate(n=Count("pk")).order_by():
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        label = Priority(row["priority"]).label
        by_priority[label] += row["n"]

    by_category = [
        {"id": c.id, "name": c.name, "slug": c.slug, "count": c.n}
        for c in Category.objects.annotate(n=Count("complaints")).order_by("name")
    ]

    breached = ack_breached_q(now) | resolve_breached_q(now)
    agg = Complaint.objects.aggregate(
        median_ack=Median(
            Epoch(F("acknowledged_at") - F("created_at")),
            filter=Q(acknowledged_at__isnull=False),
        ),
        median_resolve=Median(
            Epoch(F("resolved_at") - F("created_at")), filter=Q(resolved_at__isnull=False)
        ),
        decided=Count("pk", filter=sla_decided_q(now)),
        breached=Count("pk", filter=breached),
    )
    decided, breached_n = agg["decided"], agg["breached"]
    today = now.astimezone(UTC).date()
    series = per_day_series(days=days, today=today)
    csat = csat_stats(start=window_start(days=days, today=today), end=now)
    return {
        "generated_at": now,
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_priority": by_priority,
        "by_category": by_category,
        "median_seconds_to_acknowledge": agg["median_ack"],
        "median_seconds_to_resolve": agg["median_resolve"],
        "sla_decided": decided,
        "sla_breached": breached_n,
        "sla_breach_rate": (breached_n / decided) if decided else None,
        "days": days,
        "per_day": [{"day": d.day, "created": d.created, "resolved": d.resolved} for d in series],
        "csat": csat,
    }
