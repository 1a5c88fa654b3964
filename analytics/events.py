"""Which analytics handlers (``analytics/handlers.py``) run for which complaint event.

Registered from ``AnalyticsConfig.ready()`` by name, after the complaints app's handlers;
the names are stored in ``ProcessedEvent`` once they have run.
"""

from complaints.events import ComplaintEvent
from events import dispatch

REFRESH_EVENT_DAY = "analytics.handlers.refresh_event_day"
REFRESH_CREATED_DAY = "analytics.handlers.refresh_created_day"

HANDLERS: dict[ComplaintEvent, tuple[str, ...]] = {
    # The day's counts change: created, acknowledged / resolved / closed, ratings.
    ComplaintEvent.CREATED: (REFRESH_EVENT_DAY,),
    ComplaintEvent.STATUS_CHANGED: (REFRESH_EVENT_DAY,),
    ComplaintEvent.FEEDBACK_RECEIVED: (REFRESH_EVENT_DAY,),
    # A duplicate leaves the open complaints (status ``merged``).
    ComplaintEvent.MERGED: (REFRESH_EVENT_DAY,),
    # A breach counts on the day its complaint was created, not on the day it happened.
    ComplaintEvent.SLA_BREACHED: (REFRESH_CREATED_DAY,),
}


def register_handlers() -> None:
    for event_type, names in HANDLERS.items():
        dispatch.register_handlers(event_type, names)
