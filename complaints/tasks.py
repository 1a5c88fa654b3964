"""Event handlers (run by ``events.handle_event``, one task per event) and the SLA beat.

Each handler claims (event_id, handler name) in the transaction of its effect, so a
redelivered message or a re-run task does nothing the second time.
"""

from datetime import datetime

from celery import current_app, shared_task
from django.conf import settings
from django.core.cache import cache

from complaints import notifications, sla, triage
from events import dispatch
from events.idempotency import run_once

# The analytics app's recompute task, sent by name (the analytics app owns it).
ANALYTICS_REFRESH_TASK = "analytics.refresh_daily_stats"


# Event handlers, run in turn by ``events.handle_event`` (one task per event). Each claims
# (event_id, handler name) with ``run_once``; False means skipped (already done, or nothing
# to do).


@dispatch.register(dispatch.RECEIPT)
def handle_receipt(envelope: dict) -> bool:
    return run_once(
        envelope, dispatch.RECEIPT, lambda e: notifications.send_receipt(e["aggregate_id"])
    )


@dispatch.register(dispatch.STATUS)
def handle_status_changed(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_status_changed(
            e["aggregate_id"], p.get("from_status"), p.get("to_status"), p.get("actor_id")
        )

    return run_once(envelope, dispatch.STATUS, effect)


@dispatch.register(dispatch.REPLY)
def handle_public_reply(envelope: dict) -> bool:
    if envelope["payload"].get("internal", True):
        return False  # internal notes never go to customers
    return run_once(
        envelope,
        dispatch.REPLY,
        lambda e: notifications.send_public_reply(e["aggregate_id"], e["payload"]["comment_id"]),
    )


@dispatch.register(dispatch.ASSIGNED)
def handle_assigned(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_assigned(e["aggregate_id"], p.get("to_assignee_id"), p.get("actor_id"))

    return run_once(envelope, dispatch.ASSIGNED, effect)


@dispatch.register(dispatch.SLA)
def handle_sla_breached(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_sla_breached(e["aggregate_id"], p.get("clock"), p.get("due_at"))

    return run_once(envelope, dispatch.SLA, effect)


@dispatch.register(dispatch.TRIAGE)
def handle_triage(envelope: dict) -> bool:
    return run_once(envelope, dispatch.TRIAGE, lambda e: triage.triage_complaint(e["aggregate_id"]))


def _analytics_key(day: str) -> str:
    return f"events:analytics-refresh:{day}"


def schedule_analytics_refresh(day: str) -> bool:
    """Queue one recompute of ``day`` per debounce window; True if this call queued it.

    The recompute reads the whole day from the complaints table, so one per event (100/s at
    peak) is quadratic work. The first event of a window queues it ``countdown`` seconds
    later; events in between find the key and skip: their complaints are committed before
    the key expires, hence before the recompute starts.
    """
    window = settings.EVENTS_ANALYTICS_DEBOUNCE_SECONDS
    if window <= 0:
        current_app.send_task(ANALYTICS_REFRESH_TASK, args=[day])
        return True
    key = _analytics_key(day)
    if not cache.add(key, 1, timeout=window):
        return False
    try:
        current_app.send_task(ANALYTICS_REFRESH_TASK, args=[day], countdown=window)
    except Exception:
        cache.delete(key)  # not queued: the retry (or the next event) must queue it
        raise
    return True


@dispatch.register(dispatch.ANALYTICS)
def handle_analytics(envelope: dict) -> bool:
    """Ask the analytics app to recompute the day of the event (debounced, idempotent)."""
    day = datetime.fromisoformat(envelope["occurred_at"]).date().isoformat()
    window = settings.EVENTS_ANALYTICS_DEBOUNCE_SECONDS
    if window > 0 and cache.get(_analytics_key(day)) is not None:
        # A recompute of the day is already queued and starts after this event's complaint
        # was committed: nothing to do, so no claim (and no transaction) either. A redelivery
        # checks again, and at worst queues one more (idempotent) recompute.
        return False
    return run_once(envelope, dispatch.ANALYTICS, lambda e: schedule_analytics_refresh(day))


@shared_task(name="complaints.tasks.scan_sla_breaches", acks_late=True)
def scan_sla_breaches() -> dict:
    return sla.scan_breaches()
