"""The one Celery task per event: runs every handler registered for the event's type."""

import logging

from celery import shared_task

from events import dispatch

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
