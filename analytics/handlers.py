"""Analytics' complaint event handlers: ask for a (debounced) recompute of the day concerned.

Listed in ``analytics.events.HANDLERS``. The recompute itself is the
``analytics.refresh_daily_stats`` task.
"""

from datetime import datetime

from celery import current_app
from django.conf import settings
from django.core.cache import cache

from analytics.events import REFRESH_CREATED_DAY, REFRESH_EVENT_DAY
from complaints.models import Complaint
from events.idempotency import run_once

REFRESH_DAILY_STATS_TASK = "analytics.refresh_daily_stats"


def _debounce_key(day: str) -> str:
    return f"analytics:refresh-queued:{day}"


def schedule_analytics_refresh(day: str) -> bool:
    """Queue one recompute of ``day`` per debounce window; True if this call queued it.

    The recompute reads the whole day from the complaints table, so one per event (100/s at
    peak) is quadratic work. The first event of a window queues it ``countdown`` seconds
    later; events in between find the key and skip: their complaints are committed before
    the key expires, hence before the recompute starts.
    """
    window = settings.EVENTS_ANALYTICS_DEBOUNCE_SECONDS
    if window <= 0:
        current_app.send_task(REFRESH_DAILY_STATS_TASK, args=[day])
        return True
    key = _debounce_key(day)
    if not cache.add(key, 1, timeout=window):
        return False
    try:
        current_app.send_task(REFRESH_DAILY_STATS_TASK, args=[day], countdown=window)
    except Exception:
        cache.delete(key)  # not queued: the retry (or the next event) must queue it
        raise
    return True


def _refresh(envelope: dict, handler: str, day: str) -> bool:
    window = settings.EVENTS_ANALYTICS_DEBOUNCE_SECONDS
    if window > 0 and cache.get(_debounce_key(day)) is not None:
        # A recompute of the day is already queued and starts after this event's complaint
        # was committed: nothing to do, so no claim (and no transaction) either. A redelivery
        # checks again, and at worst queues one more (idempotent) recompute.
        return False
    return run_once(envelope, handler, lambda e: schedule_analytics_refresh(day))


def refresh_event_day(envelope: dict) -> bool:
    """Ask for a recompute of the day the event happened (debounced, idempotent)."""
    day = datetime.fromisoformat(envelope["occurred_at"]).date().isoformat()
    return _refresh(envelope, REFRESH_EVENT_DAY, day)


def refresh_created_day(envelope: dict) -> bool:
    """Ask for a recompute of the day the event's complaint was created."""
    created_at = (
        Complaint.objects.filter(pk=envelope["aggregate_id"])
        .values_list("created_at", flat=True)
        .first()
    )
    if created_at is None:
        return False  # deleted since: nothing left to count
    return _refresh(envelope, REFRESH_CREATED_DAY, created_at.date().isoformat())
