from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from analytics import services


@shared_task(name="analytics.refresh_daily_stats", acks_late=True)
def refresh_daily_stats(day_iso: str) -> dict:
    """Recompute one day's aggregates; safe to run any number of times for the same day."""
    row = services.refresh_daily_stats(day=date.fromisoformat(day_iso))
    return {"day": row.day.isoformat(), "created": row.created, "resolved": row.resolved}


@shared_task(name="analytics.refresh_recent_days", acks_late=True)
def refresh_recent_days(days: int = 2) -> int:
    """Periodic safety net: recompute the last ``days`` days (including today)."""
    today = timezone.now().date()
    return services.refresh_daily_stats_range(
        start_day=today - timedelta(days=max(days, 1) - 1), end_day=today
    )
