"""Which handlers run for which event type, and the hand-off of an event to Celery.

Apps register their handlers from ``AppConfig.ready()`` with ``register_handlers``, by
dotted ``module.function`` name: nothing is imported until the worker runs a handler, so
the relay and the consumer never load the modules behind them. A type registered with no
handlers is still known (it is consumed, not dead-lettered).

The consumer queues ONE task per event (``events.handle_event``); the worker runs every
handler of the event's type in turn, in registration order (apps register in
``INSTALLED_APPS`` order). Each handler claims (event_id, handler name) in its own
transaction, so a retry only re-runs the handlers that have not succeeded yet. The names
are stored in ``ProcessedEvent`` rows: renaming a handler makes already processed events
look new to it.
"""

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from celery import current_app

HANDLE_EVENT = "events.handle_event"

Handler = Callable[[dict[str, Any]], Any]
_HANDLERS: dict[str, list[str]] = {}


def register_handlers(event_type: str, names: Iterable[str]) -> None:
    """Append ``names`` (``module.function``, called with the envelope) to the type's handlers."""
    handlers = _HANDLERS.setdefault(str(event_type), [])
    for name in names:
        if name not in handlers:
            handlers.append(name)


def handlers_for(event_type: str) -> tuple[str, ...]:
    return tuple(_HANDLERS.get(event_type, ()))


def is_known(event_type: str) -> bool:
    """True if an app registered the type (with or without handlers)."""
    return event_type in _HANDLERS


def handler(name: str) -> Handler:
    """The function called ``name``, its module imported on first use."""
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)


def hand_off(event, app=None) -> int:
    """Queue the event's task (none if no handler); raises if the Celery broker does not take it."""
    if not handlers_for(event.type):
        return 0
    if app is None:
        app = current_app  # the project's app (``complaints_project/celery.py``)
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
