"""Which analytics handlers (``analytics/handlers.py``) run for which complaint event.

Registered from ``AnalyticsConfig.ready()`` by name, after the complaints app's handlers;
the names are stored in ``ProcessedEvent`` once they have run. Every complaint event syncs its
complaint's share of the aggregates: the sync reads the complaint as it is, so a new event type
(or status) needs no analytics change.
"""

from complaints.events import ComplaintEvent
from events import dispatch

SYNC_COMPLAINT = "analytics.handlers.sync_complaint"

HANDLERS: dict[ComplaintEvent, tuple[str, ...]] = dict.fromkeys(ComplaintEvent, (SYNC_COMPLAINT,))


def register_handlers() -> None:
    for event_type, names in HANDLERS.items():
        dispatch.register_handlers(event_type, names)
