"""The internal review of a final answer (ISO 10002 / ISO 10003), one transaction per use case.

A customer who does not accept a resolution or a rejection asks once for an internal review
(``review_request``); it waits in the supervisors' queue (``?review=open``) until a
supervisor or admin concludes it (``review_conclude``) with an outcome and a note the customer
reads, and, when the decision changes, the remedy outcome now given. The complaint's status
does not change: the review is a second look at the answer, not a new round of handling. The
external bodies the customer can go to next are settings (``COMPLAINT_REFERRALS``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from complaints import events
from complaints.errors import ConflictError, NotAllowed, SupervisorsOnly
from complaints.history import history_record
from complaints.models import Complaint, HistoryKind, RemedyOutcome, ReviewOutcome
from complaints.policies import customer_may_request_review, may_conclude_review, review_open
from complaints.visibility import ensure_complaint_visible

REVIEW_TEXT_MAX_LENGTH = 5000


def _text(value: str, *, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: ["This field may not be blank."]})
    if len(text) > REVIEW_TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: [f"Ensure this field has no more than {REVIEW_TEXT_MAX_LENGTH} characters."]}
        )
    return text


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)


@transaction.atomic
def review_request(*, complaint: Complaint, customer: User, reason: str) -> Complaint:
    """The complaint's customer asks for an internal review of its final answer, once."""
    complaint = _lock(complaint)
    ensure_complaint_visible(user=customer, complaint=complaint)
    if customer.is_handler:
        raise NotAllowed("Only the customer can ask for an internal review.")
    if not customer_may_request_review(complaint):
        message = (
            "An internal review was already requested for this complaint."
            if complaint.review_requested_at is not None
            else "An internal review can be requested once the complaint is resolved or rejected."
        )
        raise ConflictError(message, current_status=complaint.status)
    complaint.review_reason = _text(reason, field="reason")
    complaint.review_requested_at = timezone.now()
    complaint.save(update_fields=["review_reason", "review_requested_at", "updated_at"])
    history_record(complaint=complaint, actor=customer, kind=HistoryKind.REVIEW_REQUESTED)
    events.emit_review_requested(complaint=complaint, actor=customer)
    return complaint


@transaction.atomic
def review_conclude(
    *,
    complaint: Complaint,
    actor: User,
    outcome: str,
    note: str,
    remedy_outcome: str = "",
) -> Complaint:
    """A supervisor or admin concludes the open review; ``note`` is the answer the customer
    reads; ``remedy_outcome`` (optional) is what the remedy sought now comes to."""
    complaint = _lock(complaint)
    ensure_complaint_visible(user=actor, complaint=complaint)
    if not actor.is_handler:
        raise NotAllowed("Only supervisors and admins conclude internal reviews.")
    if not review_open(complaint):
        raise ConflictError("This complaint has no internal review waiting.")
    if not may_conclude_review(user=actor, complaint=complaint):
        raise SupervisorsOnly("Only supervisors and admins conclude internal reviews.")
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": [f"'{outcome}' is not a valid review outcome."]})
    if remedy_outcome and remedy_outcome not in RemedyOutcome.values:
        raise ValidationError({"remedy_outcome": [f"'{remedy_outcome}' is not a valid outcome."]})
    complaint.review_note = _text(note, field="note")
    complaint.review_outcome = outcome
    complaint.review_concluded_at = timezone.now()
    complaint.review_concluded_by = actor
    fields = ["review_note", "review_outcome", "review_concluded_at", "review_concluded_by"]
    if remedy_outcome:
        complaint.remedy_outcome = remedy_outcome
        fields.append("remedy_outcome")
    complaint.save(update_fields=[*fields, "updated_at"])
    history_record(
        complaint=complaint, actor=actor, kind=HistoryKind.REVIEW_CONCLUDED, to_value=outcome
    )
    events.emit_review_concluded(complaint=complaint, actor=actor)
    return complaint
