"""Which analytics handlers (``analytics/handlers.py``) run for which complaint event.

Registered from ``AnalyticsConfig.ready()`` by name, after the complaints app's handlers;
the names are stored in ``ProcessedEvent`` once they have run. Every complaint event that can
change a figure syncs its complaint's share of the aggregates; the sync reads the complaint as
it is, so a new event type (or status) needs no analytics change beyond being listed here by
default. Comments and assignments change no figure (a reply that moves the status emits its own
status event); the reconcile beat would repair anything they did.
"""

from complaints.events import ComplaintEvent
from events import dispatch

SYNC_COMPLAINT = "analytics.handlers.sync_complaint"
NOT_COUNTED = frozenset({ComplaintEvent.COMMENTED, ComplaintEvent.ASSIGNED})

HANDLERS: dict[ComplaintEvent, tuple[str, ...]] = {
    event_type: (SYNC_COMPLAINT,) for event_type in ComplaintEvent if event_type not in NOT_COUNTED
}


def register_handlers() -> None:
    for event_type, names in HANDLERS.items():
        dispatch.register_handlers(event_type, names)
