"""Effectively-once handling: a handler claims (event_id, handler) in its effect's transaction."""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

_CLAIM_SQL = """
INSERT INTO events_processedevent (event_id, handler, processed_at)
VALUES (%s, %s, now())
ON CONFLICT (event_id, handler) DO NOTHING
RETURNING id
"""


def claim(event_id: str, handler: str) -> bool:
    """True if this is the first claim. Must run inside the effect's transaction.

    A concurrent claim of the same pair waits on the unique index until the first
    transaction ends: skipped if it committed, claimed if it rolled back.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [str(event_id), handler])
        return cursor.fetchone() is not None


def run_once(envelope: dict[str, Any], handler: str, effect: Callable[[dict[str, Any]], Any]):
    """Run ``effect(envelope)`` unless ``handler`` already processed this event.

    Returns False when skipped. If the effect raises, the claim rolls back with it and a
    retry runs it again.
    """
    with transaction.atomic():
        if not claim(envelope["event_id"], handler):
            return False
        effect(envelope)
    return True
