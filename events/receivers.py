"""Outbox writers: one receiver per domain signal, running in the sender's transaction.

Payloads hold ids, codes and timestamps only: never titles, descriptions, comment bodies,
names or emails. A rolled-back change rolls its outbox row back with it.
"""

from typing import Any

from django.db import connection

from complaints import signals
from complaints.models import Priority
from events.envelope import SCHEMA_VERSION
from events.models import EventType, OutboxEvent

NOTIFY_CHANNEL = "outbox"


def _id(value) -> str | None:
    return str(value) if value is not None else None


def _priority_name(value) -> str | None:
    if value is None:
        return None
    try:
        return Priority(int(value)).label
    except ValueError:
        return str(value)


def _snapshot(complaint, actor) -> dict[str, Any]:
    return {
        "complaint_id": str(complaint.pk),
        "reference": complaint.reference,
        "status": complaint.status,
        "priority": _priority_name(complaint.priority),
        "category_id": complaint.category_id,
        "assignee_id": _id(complaint.assignee_id),
        "actor_id": _id(getattr(actor, "pk", None)),
    }


def write_event(*, type: str, complaint, actor=None, **extra: Any) -> OutboxEvent:
    """Append an outbox row for ``complaint`` and wake the relay once the transaction commits."""
    event = OutboxEvent.objects.create(
        type=type,
        aggregate_id=complaint.pk,
        payload={**_snapshot(complaint, actor), **extra},
        schema_version=SCHEMA_VERSION,
    )
    with connection.cursor() as cursor:
        # Delivered on commit only, and coalesced by PostgreSQL within one transaction.
        cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
    return event


def on_created(sender, *, complaint, actor=None, **kwargs) -> None:
    write_event(
        type=EventType.CREATED,
        complaint=complaint,
        actor=actor,
        channel=complaint.channel,
        created_at=complaint.created_at.isoformat(),
        ack_due_at=complaint.ack_due_at.isoformat(),
        resolve_due_at=complaint.resolve_due_at.isoformat(),
    )


def on_status_changed(sender, *, complaint, actor=None, from_status=None, to_status=None, **kw):
    write_event(
        type=EventType.STATUS_CHANGED,
        complaint=complaint,
        actor=actor,
        from_status=from_status,
        to_status=to_status or complaint.status,
    )


def on_assigned(sender, *, complaint, actor=None, from_assignee_id=None, to_assignee_id=None, **kw):
    write_event(
        type=EventType.ASSIGNED,
        complaint=complaint,
        actor=actor,
        from_assignee_id=_id(from_assignee_id),
        to_assignee_id=_id(to_assignee_id if to_assignee_id is not None else complaint.assignee_id),
    )


def on_commented(sender, *, complaint, actor=None, comment, **kwargs) -> None:
    # Only the comment's id and visibility: its text stays in the (encrypted) table.
    write_event(
        type=EventType.COMMENTED,
        complaint=complaint,
        actor=actor,
        comment_id=str(comment.pk),
        author_id=_id(comment.author_id),
        internal=bool(comment.is_internal),
        created_at=comment.created_at.isoformat(),
    )


def on_feedback_received(sender, *, complaint, actor=None, feedback, **kwargs) -> None:
    write_event(
        type=EventType.FEEDBACK_RECEIVED,
        complaint=complaint,
        actor=actor,
        feedback_id=feedback.pk,
        rating=feedback.rating,
        created_at=feedback.created_at.isoformat(),
    )


def on_sla_breached(sender, *, complaint, actor=None, clock, due_at=None, **kwargs) -> None:
    write_event(
        type=EventType.SLA_BREACHED,
        complaint=complaint,
        actor=actor,
        clock=clock,
        due_at=due_at.isoformat() if due_at is not None else None,
    )


def _change_value(field: str, value):
    if field == "priority":
        return _priority_name(value)
    if field == "category":
        return getattr(value, "pk", value)
    if hasattr(value, "pk"):
        return _id(value.pk)
    return value


def on_updated(sender, *, complaint, actor=None, changes=None, **kwargs) -> None:
    safe: dict[str, Any] = {}
    for field, (old, new) in (changes or {}).items():
        if field in {"priority", "category", "category_id"}:
            name = "category" if field == "category_id" else field
            safe[name] = {"from": _change_value(name, old), "to": _change_value(name, new)}
        else:
            # Free-text fields (title, ...) are reported as changed, without their text.
            safe[field] = {"changed": True}
    write_event(type=EventType.UPDATED, complaint=complaint, actor=actor, changes=safe)


_RECEIVERS = [
    (signals.complaint_created, on_created),
    (signals.complaint_status_changed, on_status_changed),
    (signals.complaint_assigned, on_assigned),
    (signals.complaint_commented, on_commented),
    (signals.complaint_feedback_received, on_feedback_received),
    (signals.complaint_sla_breached, on_sla_breached),
    (signals.complaint_updated, on_updated),
]


def connect() -> None:
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"events.outbox.{receiver.__name__}")
