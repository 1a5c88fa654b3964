"""Analytics' complaint event handler: bring the event's complaint up to date in the aggregates.

Listed in ``analytics.events.HANDLERS``. The claim (``run_once``) and the sync commit together;
the sync itself is idempotent too, so a redelivery or a late event changes nothing.
"""

from typing import Any

from analytics import services
from analytics.events import SYNC_COMPLAINT
from events.idempotency import run_once


def sync_complaint(envelope: dict[str, Any]) -> bool:
    """Move the complaint's share of the aggregates to its current state (idempotent)."""
    return run_once(envelope, SYNC_COMPLAINT, lambda e: services.sync_complaint(e["aggregate_id"]))
