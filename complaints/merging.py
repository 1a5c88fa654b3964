"""Merging a duplicate complaint into the one that carries on (one transaction).

The duplicate (B) takes the final status ``merged`` and points at the complaint it joined (A);
its conversation stays where it is and is read from A (``visibility.conversation_q``), so
nothing is copied and nothing of the customer's is lost. Rules (docs/handling.md):

- staff only; a customer's own complaint is a 403, another's a 404;
- both complaints must still be able to move (``workflow.MERGEABLE_STATUSES``): never into a
  closed, rejected, withdrawn or merged complaint (409), so no chain forms; complaints merged
  into B before move on to A, so every merged complaint points at one that is not merged;
- same customer for any staff member; across customers for supervisors and admins only;
- B's SLA clocks stop (``merged`` runs none); history on both, one ``complaint.merged`` event.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from complaints import events
from complaints.errors import ConflictError, NotAllowed, NotFound, SupervisorsOnly
from complaints.history import history_record
from complaints.models import Complaint, HistoryKind
from complaints.policies import may_merge_across_customers
from complaints.visibility import ensure_complaint_visible
from complaints.workflow import MERGEABLE_STATUSES, Status

INTO_FIELD = "into"


def _lock_pair(complaint_id: UUID, into_id: UUID | None) -> tuple[Complaint, Complaint | None]:
    """Both rows under ``FOR UPDATE``, locked in primary-key order (no deadlock between two
    merges of the same pair in opposite directions)."""
    rows = {
        c.pk: c
        for c in Complaint.objects.select_for_update(of=("self",))
        .filter(pk__in=[pk for pk in (complaint_id, into_id) if pk is not None])
        .order_by("pk")
    }
    return rows[complaint_id], rows.get(into_id) if into_id is not None else None


def _check_target(*, complaint: Complaint, into: Complaint | None, actor: User | None) -> Complaint:
    if into is None:
        raise ValidationError({INTO_FIELD: ["No such complaint."]})
    if into.pk == complaint.pk:
        raise ValidationError({INTO_FIELD: ["A complaint cannot be merged into itself."]})
    if into.status == Status.MERGED:
        raise ConflictError(
            f"{into.reference} was itself merged into another complaint; merge into that one.",
            current_status=into.status,
        )
    if into.status not in MERGEABLE_STATUSES:
        raise ConflictError(
            f"{into.reference} is {Status(into.status).label.lower()}: nothing can be merged "
            "into it.",
            current_status=into.status,
        )
    if (
        actor is not None
        and into.customer_id != complaint.customer_id
        and not may_merge_across_customers(actor)
    ):
        raise SupervisorsOnly(
            "The complaints belong to different customers: only supervisors and admins may "
            "merge them."
        )
    return into


@transaction.atomic
def complaint_merge(*, complaint: Complaint, into_id: UUID | None, actor: User | None) -> Complaint:
    """Merge ``complaint`` (the duplicate) into the complaint ``into_id`` (None: no such
    complaint, a 400 on ``into``); ``actor`` None is the system. Returns the duplicate."""
    try:
        complaint, into = _lock_pair(complaint.pk, into_id)
    except KeyError as exc:  # deleted meanwhile: as if it never existed
        raise NotFound("No complaint matches the given query.") from exc
    ensure_complaint_visible(user=actor, complaint=complaint)
    if actor is not None and not actor.is_handler:
        raise NotAllowed("Only staff can merge complaints.")
    # What ``policies.may_merge`` (the ``can_merge`` flag) says, refused in words.
    if complaint.status not in MERGEABLE_STATUSES:
        raise ConflictError(
            f"A {Status(complaint.status).label.lower()} complaint cannot be merged.",
            current_status=complaint.status,
        )
    into = _check_target(complaint=complaint, into=into, actor=actor)

    now = timezone.now()
    from_status = complaint.status
    complaint.status = Status.MERGED
    complaint.merged_into = into
    complaint.merged_at = now
    complaint.save(update_fields=["status", "merged_into", "merged_at", "updated_at"])
    # No chains: what was merged into the duplicate now points at the complaint it joined.
    Complaint.objects.filter(merged_into=complaint).update(merged_into=into, updated_at=now)
    _record_history(complaint=complaint, into=into, actor=actor, from_status=from_status)
    events.emit_merged(complaint=complaint, actor=actor, into=into, from_status=from_status)
    return complaint


def _record_history(
    *, complaint: Complaint, into: Complaint, actor: User | None, from_status: str
) -> None:
    history_record(
        complaint=complaint,
        actor=actor,
        kind=HistoryKind.STATUS_CHANGED,
        from_value=from_status,
        to_value=Status.MERGED,
    )
    for side in (complaint, into):
        history_record(
            complaint=side,
            actor=actor,
            kind=HistoryKind.MERGED,
            from_value=complaint.reference,
            to_value=into.reference,
            # The other customer must not learn of a merge across customers from A's timeline.
            is_internal=side is into and into.customer_id != complaint.customer_id,
        )
