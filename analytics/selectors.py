"""Complaint statistics for supervisors, read from the maintained aggregates only.

Four small queries whatever the number of complaints (none touches the complaints table):
(1) the counters per status x priority, (2) the categories with their counts, (3) the window's
daily rows (per-day series, CSAT, the period's counts), (4) the duration histograms, overall and
summed over the window. Medians and p90s come from the histograms (``analytics.histogram``:
within 5 % or 0.5 s of the exact value).
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from analytics.histogram import percentile
from analytics.models import (
    ComplaintCount,
    DailyComplaintStats,
    DailyDurationHistogram,
    DurationHistogram,
    DurationMetric,
)
from complaints.models import Category, Priority
from complaints.workflow import Status

DEFAULT_DAYS = 30
MAX_DAYS = 365
CSAT_RATINGS = range(1, 6)
SATISFIED_MIN_RATING = 4
MEDIAN, P90 = 0.5, 0.9
PERIOD_COUNTS = ("created", "acknowledged", "resolved", "closed")


def window_days(*, days: int, today: date) -> tuple[date, date]:
    """First and last UTC day of the ``days``-day window that ends today, today included."""
    return today - timedelta(days=days - 1), today


def _counts() -> dict[str, Any]:
    by_status = {s.value: 0 for s in Status}
    by_priority = {p.label: 0 for p in Priority}
    decided = breached = overdue = 0
    rows = (
        ComplaintCount.objects.values("status", "priority")
        .annotate(
            n=Sum("complaints"),
            decided=Sum("sla_decided"),
            breached=Sum("sla_breached"),
            overdue=Sum("overdue"),
        )
        .order_by()
    )
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_priority[Priority(row["priority"]).label] += row["n"]
        decided += row["decided"]
        breached += row["breached"]
        overdue += row["overdue"]
    return {
        "by_status": by_status,
        "by_priority": by_priority,
        "decided": decided,
        "breached": breached,
        "overdue": overdue,
    }


def _by_category() -> list[dict[str, Any]]:
    counted = (
        ComplaintCount.objects.filter(category_id=OuterRef("pk"))
        .values("category_id")
        .annotate(n=Sum("complaints"))
        .values("n")
    )
    rows = Category.objects.annotate(
        n=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    ).order_by("name")
    return [{"id": c.id, "name": c.name, "slug": c.slug, "count": c.n} for c in rows]


def _csat(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """CSAT of the ratings given in the window: ``satisfied_share`` is the share of 4-5 stars;
    it and ``average_rating`` are None without ratings. ``distribution`` has keys "1".."5"."""
    distribution = {str(r): sum(row[f"rating_{r}"] for row in rows) for r in CSAT_RATINGS}
    responses = sum(distribution.values())
    if not responses:
        return {
            "responses": 0,
            "average_rating": None,
            "satisfied_share": None,
            "distribution": distribution,
        }
    stars = sum(int(r) * n for r, n in distribution.items())
    satisfied = sum(n for r, n in distribution.items() if int(r) >= SATISFIED_MIN_RATING)
    return {
        "responses": responses,
        "average_rating": stars / responses,
        "satisfied_share": satisfied / responses,
        "distribution": distribution,
    }


def _histograms(first: date, last: date) -> dict[tuple[str, str], dict[int, int]]:
    """{(scope, metric): {bucket: n}}, scope "all" (every complaint) or "period" (the window)."""
    sql = (
        f"SELECT 'all', metric, bucket, complaints FROM {DurationHistogram._meta.db_table} "  # noqa: S608 - names from the models, values as parameters
        "WHERE complaints <> 0 UNION ALL "
        f"SELECT 'period', metric, bucket, SUM(complaints) "
        f"FROM {DailyDurationHistogram._meta.db_table} WHERE day >= %s AND day <= %s "
        "GROUP BY metric, bucket"
    )
    histograms: dict[tuple[str, str], dict[int, int]] = {
        (scope, metric): {} for scope in ("all", "period") for metric in DurationMetric.values
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, last])
        for scope, metric, bucket, n in cursor.fetchall():
            histograms[(scope, metric)][bucket] = n
    return histograms


def _durations(histograms: dict[tuple[str, str], dict[int, int]], scope: str) -> dict[str, Any]:
    """``median_seconds_to_acknowledge``, ``p90_seconds_to_acknowledge``, ... of one scope."""
    result = {}
    for metric in DurationMetric.values:
        counts = histograms[(scope, metric)]
        result[f"median_seconds_to_{metric}"] = percentile(counts, MEDIAN)
        result[f"p90_seconds_to_{metric}"] = percentile(counts, P90)
    return result


def _per_day(rows: list[dict[str, Any]], first: date, last: date) -> list[dict[str, Any]]:
    stored = {row["day"]: row for row in rows}
    series = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = stored.get(day)
        series.append(
            {
                "day": day,
                "created": row["created"] if row else 0,
                "resolved": row["resolved"] if row else 0,
            }
        )
    return series


def complaint_stats(*, days: int = DEFAULT_DAYS, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    first, last = window_days(days=days, today=now.astimezone(UTC).date())
    counts = _counts()
    by_category = _by_category()
    rows = list(
        DailyComplaintStats.objects.filter(day__gte=first, day__lte=last).values(
            "day", *PERIOD_COUNTS, *(f"rating_{r}" for r in CSAT_RATINGS)
        )
    )
    histograms = _histograms(first, last)
    decided, breached = counts["decided"], counts["breached"]
    return {
        "generated_at": now,
        "total": sum(counts["by_status"].values()),
        "by_status": counts["by_status"],
        "by_priority": counts["by_priority"],
        "by_category": by_category,
        **_durations(histograms, "all"),
        "sla_decided": decided,
        "sla_breached": breached,
        "sla_breach_rate": (breached / decided) if decided else None,
        "overdue": counts["overdue"],
        "days": days,
        "max_days": MAX_DAYS,
        "per_day": _per_day(rows, first, last),
        "period": {
            "first_day": first,
            "last_day": last,
            **{key: sum(row[key] for row in rows) for key in PERIOD_COUNTS},
            **_durations(histograms, "period"),
        },
        "csat": _csat(rows),
    }
