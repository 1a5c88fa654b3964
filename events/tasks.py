"""The one Celery task per event, which runs every handler registered for the event's type;
and the beat task that keeps the event tables to their retention."""

import logging
from dataclasses import asdict

from celery import shared_task

from events import dispatch
from events.retention import purge_event_tables as purge

logger = logging.getLogger(__name__)

RETRYING = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 10,
}


class HandlersFailed(Exception):
    """At least one handler raised; the task is retried and re-runs only those."""


@shared_task(name=dispatch.HANDLE_EVENT, **RETRYING)
def handle_event(self, envelope: dict) -> dict[str, bool]:
    """Run the event's handlers in order; {handler: ran (False = already done / skipped)}.

    Each handler claims (event_id, handler) in its own transaction (``run_once``), so a
    handler that fails does not undo or hold up the others, and the retry skips those
    already done. The task fails (and is retried) if any handler failed.
    """
    results: dict[str, bool] = {}
    failed: list[str] = []
    for name in dispatch.handlers_for(envelope["type"]):
        try:
            results[name] = bool(dispatch.handler(name)(envelope))
        except Exception:
            logger.exception(
                "event handler failed",
                extra={"handler": name, "event_id": envelope.get("event_id")},
            )
            failed.append(name)
    if failed:
        raise HandlersFailed(f"{', '.join(failed)} failed for event {envelope.get('event_id')}")
    return results


@shared_task(name="events.purge_event_tables")
def purge_event_tables() -> dict[str, int | bool]:
    """Delete what is past retention (events/retention.py); the next run finishes a backlog."""
    result = purge()
    logger.info("event tables purged", extra=asdict(result))
    return asdict(result)
