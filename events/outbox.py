"""The outbox writer: services call ``emit`` inside their transaction.

The row commits (or rolls back) with the change it announces; the relay publishes it.
Payloads carry ids, codes and timestamps only, never personal data or free text: the
emitting app builds them.
"""

from typing import Any
from uuid import UUID

from django.db import connection

from events.envelope import SCHEMA_VERSION
from events.models import OutboxEvent

# The relay LISTENs on this channel.
NOTIFY_CHANNEL = "outbox"


def emit(*, type: str, aggregate_id: UUID | str, payload: dict[str, Any]) -> OutboxEvent:
    """Append an outbox row and wake the relay once the caller's transaction commits."""
    event = OutboxEvent.objects.create(
        type=type, aggregate_id=aggregate_id, payload=payload, schema_version=SCHEMA_VERSION
    )
    with connection.cursor() as cursor:
        # Delivered on commit only, and coalesced by PostgreSQL within one transaction.
        cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
    return event
