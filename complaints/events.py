"""Complaint events: their types, payloads and handlers.

Services call the ``emit_*`` functions inside their transaction (``events.outbox.emit``),
so the outbox row commits or rolls back with the change. Payloads hold ids, codes and
timestamps only: never titles, descriptions, comment bodies, names or emails. Every payload
starts with the complaint's snapshot (``snapshot``).

``HANDLERS`` is what the worker runs for each type (registered from
``ComplaintsConfig.ready()``, by name, so the relay and the consumer never import the
modules behind them). Customer notifications come first: they carry the latency target.
"""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from accounts.models import User
from complaints.models import Attachment, Comment, Complaint, Feedback, Priority
from events import dispatch
from events.models import OutboxEvent
from events.outbox import emit


class ComplaintEvent(StrEnum):
    CREATED = "complaint.created"
    STATUS_CHANGED = "complaint.status_changed"
    ASSIGNED = "complaint.assigned"
    COMMENTED = "complaint.commented"
    ATTACHMENT_ADDED = "complaint.attachment_added"
    FEEDBACK_RECEIVED = "complaint.feedback_received"
    SLA_BREACHED = "complaint.sla_breached"
    UPDATED = "complaint.updated"


# Handlers: ``module.function`` names, stored in ``ProcessedEvent`` once they have run.
NOTIFY_RECEIPT = "complaints.tasks.notify_receipt"
NOTIFY_STATUS_CHANGED = "complaints.tasks.notify_status_changed"
NOTIFY_ASSIGNED = "complaints.tasks.notify_assigned"
NOTIFY_COMMENTED = "complaints.tasks.notify_commented"
NOTIFY_ATTACHMENT_ADDED = "complaints.tasks.notify_attachment_added"
NOTIFY_FEEDBACK = "complaints.tasks.notify_feedback_received"
NOTIFY_SLA_BREACHED = "complaints.tasks.notify_sla_breached"
TRIAGE_COMPLAINT = "complaints.tasks.triage_complaint"

HANDLERS: dict[ComplaintEvent, tuple[str, ...]] = {
    ComplaintEvent.CREATED: (NOTIFY_RECEIPT, TRIAGE_COMPLAINT),
    ComplaintEvent.STATUS_CHANGED: (NOTIFY_STATUS_CHANGED,),
    ComplaintEvent.ASSIGNED: (NOTIFY_ASSIGNED,),
    ComplaintEvent.COMMENTED: (NOTIFY_COMMENTED,),
    ComplaintEvent.ATTACHMENT_ADDED: (NOTIFY_ATTACHMENT_ADDED,),
    ComplaintEvent.FEEDBACK_RECEIVED: (NOTIFY_FEEDBACK,),
    ComplaintEvent.SLA_BREACHED: (NOTIFY_SLA_BREACHED,),
    ComplaintEvent.UPDATED: (),
}


def register_handlers() -> None:
    for event_type, names in HANDLERS.items():
        dispatch.register_handlers(event_type, names)


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def snapshot(complaint: Complaint, actor: User | None) -> dict[str, Any]:
    """What every complaint event says about the complaint and who acted (None: the system)."""
    return {
        "complaint_id": str(complaint.pk),
        "reference": complaint.reference,
        "status": complaint.status,
        "priority": Priority(complaint.priority).label,
        "category_id": complaint.category_id,
        "assignee_id": _id(complaint.assignee_id),
        "actor_id": _id(actor.pk if actor is not None else None),
    }


def _emit(
    event_type: ComplaintEvent, complaint: Complaint, actor: User | None, **extra: Any
) -> OutboxEvent:
    return emit(
        type=event_type, aggregate_id=complaint.pk, payload={**snapshot(complaint, actor), **extra}
    )


def emit_created(*, complaint: Complaint, actor: User | None) -> OutboxEvent:
    return _emit(
        ComplaintEvent.CREATED,
        complaint,
        actor,
        channel=complaint.channel,
        created_at=complaint.created_at.isoformat(),
        ack_due_at=complaint.ack_due_at.isoformat(),
        resolve_due_at=complaint.resolve_due_at.isoformat(),
    )


def emit_status_changed(
    *, complaint: Complaint, actor: User | None, from_status: str, to_status: str
) -> OutboxEvent:
    return _emit(
        ComplaintEvent.STATUS_CHANGED,
        complaint,
        actor,
        from_status=str(from_status),
        to_status=str(to_status),
    )


def emit_assigned(
    *, complaint: Complaint, actor: User | None, from_assignee_id: Any, to_assignee_id: Any
) -> OutboxEvent:
    return _emit(
        ComplaintEvent.ASSIGNED,
        complaint,
        actor,
        from_assignee_id=_id(from_assignee_id),
        to_assignee_id=_id(to_assignee_id),
    )


def emit_commented(*, complaint: Complaint, actor: User | None, comment: Comment) -> OutboxEvent:
    # Only the comment's id and visibility: its text stays in the (encrypted) table.
    return _emit(
        ComplaintEvent.COMMENTED,
        complaint,
        actor,
        comment_id=str(comment.pk),
        author_id=_id(comment.author_id),
        internal=bool(comment.is_internal),
        created_at=comment.created_at.isoformat(),
    )


def emit_attachment_added(
    *, complaint: Complaint, actor: User, attachment: Attachment, internal: bool
) -> OutboxEvent:
    # The attachment's id and visibility: its name and content stay in the database.
    return _emit(
        ComplaintEvent.ATTACHMENT_ADDED,
        complaint,
        actor,
        attachment_id=str(attachment.pk),
        comment_id=_id(attachment.comment_id),
        internal=internal,
        created_at=attachment.created_at.isoformat(),
    )


def emit_feedback_received(
    *, complaint: Complaint, actor: User | None, feedback: Feedback
) -> OutboxEvent:
    return _emit(
        ComplaintEvent.FEEDBACK_RECEIVED,
        complaint,
        actor,
        feedback_id=feedback.pk,
        rating=feedback.rating,
        created_at=feedback.created_at.isoformat(),
    )


def emit_sla_breached(*, complaint: Complaint, clock: str, due_at: datetime | None) -> OutboxEvent:
    """``clock``: "acknowledge" or "resolve"; the system is the actor."""
    return _emit(
        ComplaintEvent.SLA_BREACHED,
        complaint,
        None,
        clock=clock,
        due_at=due_at.isoformat() if due_at is not None else None,
    )


def changes_payload(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    """{field: (old, new)} as the event says it: priorities by name, categories by id.

    ``priority`` takes ``Priority`` values and ``category`` category ids; any other field is
    free text (title, description), reported as changed without its text.
    """
    safe: dict[str, dict[str, Any]] = {}
    for field, (old, new) in changes.items():
        if field == "priority":
            safe[field] = {"from": Priority(old).label, "to": Priority(new).label}
        elif field == "category":
            safe[field] = {"from": old, "to": new}
        else:
            safe[field] = {"changed": True}
    return safe


def emit_updated(
    *, complaint: Complaint, actor: User | None, changes: Mapping[str, tuple[Any, Any]]
) -> OutboxEvent:
    """``changes``: see ``changes_payload``."""
    return _emit(ComplaintEvent.UPDATED, complaint, actor, changes=changes_payload(changes))
