"""Which handlers run for which event type, and the hand-off of an event to Celery.

The consumer queues ONE task per event (``events.handle_event``); the worker runs every
handler of the event's type in turn, in the order listed here (customer notifications
first: they carry the latency target). Each handler claims (event_id, handler name) in its
own transaction, so a retry only re-runs the handlers that have not succeeded yet.

Handler names are stored in ``ProcessedEvent`` rows: renaming one would make already
processed events look new, so they stay as they are.
"""

import importlib
from collections.abc import Callable
from typing import Any

from events.models import EventType

HANDLE_EVENT = "events.handle_event"

RECEIPT = "complaints.tasks.notify_receipt"
STATUS = "complaints.tasks.notify_status_changed"
ASSIGNED = "complaints.tasks.notify_assigned"
REPLY = "complaints.tasks.notify_public_reply"
SLA = "complaints.tasks.notify_sla_breached"
TRIAGE = "complaints.tasks.triage_complaint"
ANALYTICS = "complaints.tasks.refresh_analytics"

HANDLERS: dict[str, tuple[str, ...]] = {
    EventType.CREATED: (RECEIPT, TRIAGE, ANALYTICS),
    EventType.STATUS_CHANGED: (STATUS, ANALYTICS),
    EventType.ASSIGNED: (ASSIGNED,),
    EventType.COMMENTED: (REPLY,),
    EventType.FEEDBACK_RECEIVED: (ANALYTICS,),
    EventType.SLA_BREACHED: (SLA,),
    EventType.UPDATED: (),
}

Handler = Callable[[dict[str, Any]], Any]
_REGISTRY: dict[str, Handler] = {}


def handlers_for(event_type: str) -> tuple[str, ...]:
    return HANDLERS.get(event_type, ())


def register(name: str) -> Callable[[Handler], Handler]:
    """Register ``func(envelope)`` as the handler called ``name`` (a ``module.attr`` path)."""

    def decorate(func: Handler) -> Handler:
        _REGISTRY[name] = func
        return func

    return decorate


def handler(name: str) -> Handler:
    """The registered handler ``name``; imports its module first if needed."""
    if name not in _REGISTRY:
        importlib.import_module(name.rsplit(".", 1)[0])
    return _REGISTRY[name]


def hand_off(event, app=None) -> int:
    """Queue the event's task (none if no handler); raises if the Celery broker does not take it."""
    if not handlers_for(event.type):
        return 0
    if app is None:
        from complaints_project.celery import app
    # ``argsrepr``: what monitoring (flower, logs) shows of the arguments. Celery would
    # otherwise build a repr of the whole envelope for every task (~0.5 ms of the consumer's
    # CPU per event); the id and type identify the event.
    app.send_task(
        HANDLE_EVENT,
        args=[event.as_dict()],
        task_id=f"{event.event_id}:handle",
        argsrepr=f"[{event.type} {event.event_id}]",
    )
    return 1
