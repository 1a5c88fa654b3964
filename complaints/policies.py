"""What a complaint's state allows: the overdue rule and what each caller may still do.

The overdue rule is written twice on purpose, side by side: once as SQL (filters, list
annotations, the admin) and once in Python (a complaint already in memory); a test holds them
equal. Services check the capability predicates below before they write, and
``complaint_capabilities`` hands the same answers to the API (``can_*`` flags), so the
Streamlit app shows exactly the actions the services accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import SUPERVISOR_ROLES, Role
from complaints.models import Complaint, ComplaintState, Feedback
from complaints.visibility import complaint_is_visible
from complaints.workflow import (
    FINAL_STATUSES,
    FINISHED_STATUSES,
    MERGEABLE_STATUSES,
    REASON_REQUIRED,
    RESOLVE_CLOCK_STATUSES,
    Status,
    allowed_next_statuses,
)

# --------------------------------------------------------------------------- overdue


def ack_late_q(now: datetime) -> Q:
    """Nobody has acknowledged the complaint and its acknowledge clock has run out."""
    return Q(acknowledged_at__isnull=True, ack_due_at__lt=now, status=Status.NEW)


def ack_late(complaint: ComplaintState, *, now: datetime) -> bool:
    """Python twin of ``ack_late_q``."""
    return (
        complaint.acknowledged_at is None
        and complaint.status == Status.NEW
        and complaint.ack_due_at < now
    )


def resolve_late_q(now: datetime) -> Q:
    """The resolve clock runs (open, not paused awaiting the customer) and has run out."""
    # A positive status list (not "NOT IN finished"): the SLA scan's partial index
    # ``complaint_sla_resolve_running`` has the same list in its predicate.
    return Q(resolve_due_at__lt=now, status__in=RESOLVE_CLOCK_STATUSES)


def resolve_late(complaint: ComplaintState, *, now: datetime) -> bool:
    """Python twin of ``resolve_late_q``."""
    return complaint.status in RESOLVE_CLOCK_STATUSES and complaint.resolve_due_at < now


def overdue_q(now: datetime) -> Q:
    """A complaint is overdue when a running SLA clock has passed its due time."""
    return ack_late_q(now) | resolve_late_q(now)


def is_overdue(complaint: ComplaintState, *, now: datetime) -> bool:
    """Python twin of ``overdue_q``."""
    return ack_late(complaint, now=now) or resolve_late(complaint, now=now)


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Overdue(TypedDict):
        is_overdue: bool

    ComplaintWithOverdue = WithAnnotations[Complaint, _Overdue]


def annotate_overdue(
    qs: QuerySet[Complaint], *, now: datetime | None = None
) -> QuerySet[ComplaintWithOverdue]:
    """``qs`` with ``is_overdue`` computed in SQL for each row."""
    condition = overdue_q(now or timezone.now())
    return qs.annotate(is_overdue=ExpressionWrapper(condition, output_field=BooleanField()))


def complaint_overdue(complaint: Complaint, *, now: datetime | None = None) -> bool:
    """``is_overdue`` as annotated when the complaint was loaded with it, else computed here."""
    annotated = getattr(complaint, "is_overdue", None)
    if annotated is not None:
        return bool(annotated)
    return is_overdue(complaint, now=now or timezone.now())


# --------------------------------------------------------------------------- SLA outcome


class SlaOutcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"


def _outcome(
    complaint: Complaint,
    *,
    done: datetime | None,
    due: datetime,
    flagged: datetime | None,
    late: bool,
) -> SlaOutcome:
    """One clock: breached when the SLA scan flagged it, it stopped after its due time or it
    is still late; met when it stopped in time (or the complaint finished); else pending."""
    if flagged is not None or (done is not None and done > due) or late:
        return SlaOutcome.BREACHED
    if done is not None or complaint.status in FINISHED_STATUSES:
        return SlaOutcome.MET
    return SlaOutcome.PENDING


def ack_outcome(complaint: Complaint, *, now: datetime) -> SlaOutcome:
    """The acknowledge clock. Python twin of the dashboard's ``ack_breached_q``
    (``analytics.services``), so the CSV export and the breach rate agree."""
    return _outcome(
        complaint,
        done=complaint.acknowledged_at,
        due=complaint.ack_due_at,
        flagged=complaint.ack_breached_at,
        late=ack_late(complaint, now=now),
    )


def resolve_outcome(complaint: Complaint, *, now: datetime) -> SlaOutcome:
    """The resolve clock (twin of ``analytics.services.resolve_breached_q``)."""
    return _outcome(
        complaint,
        done=complaint.resolved_at,
        due=complaint.resolve_due_at,
        flagged=complaint.resolve_breached_at,
        late=resolve_late(complaint, now=now),
    )


# --------------------------------------------------------------------------- customers, by status

# A customer adds to the conversation (comments and files) until nobody can move the complaint
# any more. A resolved complaint stays open to them: they may still reopen it, and their reply
# or a photo is how they say why.
CUSTOMER_LOCKED_STATUSES = FINAL_STATUSES
# Title and description are the customer's until someone acknowledges the complaint.
CUSTOMER_EDITABLE_STATUSES = frozenset({Status.NEW})
# Feedback rates a resolution: once resolved (closing only follows a resolution), once.
FEEDBACK_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def customer_may_add_to_conversation(status: str) -> bool:
    return status not in CUSTOMER_LOCKED_STATUSES


def customer_may_edit(status: str) -> bool:
    return status in CUSTOMER_EDITABLE_STATUSES


def customer_may_give_feedback(status: str) -> bool:
    return status in FEEDBACK_STATUSES


# A final answer the customer may not accept: the internal review is offered on these, once.
REVIEWABLE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED})


def customer_may_request_review(complaint: ComplaintState) -> bool:
    """The customer has a final answer (resolution or rejection) and has not asked yet."""
    return complaint.status in REVIEWABLE_STATUSES and complaint.review_requested_at is None


def review_open_q() -> Q:
    """The customer asked for an internal review and no supervisor has concluded it yet."""
    return Q(review_requested_at__isnull=False, review_concluded_at__isnull=True)


def review_open(complaint: ComplaintState) -> bool:
    """Python twin of ``review_open_q``."""
    return complaint.review_requested_at is not None and complaint.review_concluded_at is None


def referrals_shown(complaint: ComplaintState) -> bool:
    """The external bodies are shown with a final answer (before and after the review)."""
    return complaint.status in REVIEWABLE_STATUSES


def remedy_outcome_required(*, remedy_sought: str, to_status: str) -> bool:
    """Resolving or rejecting a complaint whose customer asked for a remedy (``remedy_sought``,
    decrypted) records its outcome."""
    return to_status in REASON_REQUIRED and bool(remedy_sought)


def reopen_window_open(*, complaint: ComplaintState, now: datetime | None = None) -> bool:
    """Whether a resolved complaint may still be reopened by its customer."""
    if complaint.resolved_at is None:
        return False
    window = timedelta(days=settings.COMPLAINT_REOPEN_WINDOW_DAYS)
    return (now or timezone.now()) <= complaint.resolved_at + window


# --------------------------------------------------------------------------- staff, by role


def may_reroute(user: User) -> bool:
    """Change a complaint's priority or category (SLA due times follow)."""
    return user.role in SUPERVISOR_ROLES


def may_manage_calendars(user: User | None) -> bool:
    """Write the SLA business calendars (``actor`` None: the system)."""
    return user is None or user.role in SUPERVISOR_ROLES


def may_manage_canned_responses(user: User | None) -> bool:
    """Write canned responses (agents read them; ``actor`` None: the system)."""
    return user is None or user.role in SUPERVISOR_ROLES


def may_export_personal_data(user: User) -> bool:
    """Export customers' names and email addresses with the complaints (CSV)."""
    return user.role in SUPERVISOR_ROLES


def may_assign_anyone(user: User) -> bool:
    """Assign a complaint to any staff member; other staff only take it or drop their own."""
    return user.role in SUPERVISOR_ROLES


def assignment_refusal(
    *, actor: User, current_assignee_id: UUID | None, assignee_id: UUID | None
) -> str | None:
    """Why staff member ``actor`` may not set the assignee to ``assignee_id``; None: they may.

    Supervisors and admins move work between anyone. Agents take unassigned complaints (assign
    themselves) and drop their own; moving a complaint away from a colleague (to themselves
    too) and handing one to a colleague, even an unassigned one, is for supervisors. Setting
    the assignee it already has changes nothing and is never refused.
    """
    if may_assign_anyone(actor) or assignee_id == current_assignee_id:
        return None
    if assignee_id is not None and assignee_id != actor.pk:
        return "Only supervisors and admins may assign a complaint to someone else."
    if current_assignee_id is not None and current_assignee_id != actor.pk:
        return (
            "This complaint is assigned to a colleague; only supervisors and admins may move it "
            "to someone else."
        )
    return None


def may_take(*, user: User, complaint: ComplaintState) -> bool:
    """Assign the complaint to themselves now (it is not theirs yet)."""
    return (
        user.is_handler
        and complaint.assignee_id != user.pk
        and assignment_refusal(
            actor=user, current_assignee_id=complaint.assignee_id, assignee_id=user.pk
        )
        is None
    )


def may_unassign(*, user: User, complaint: ComplaintState) -> bool:
    """Clear the complaint's assignee now (someone has it)."""
    return (
        user.is_handler
        and complaint.assignee_id is not None
        and assignment_refusal(
            actor=user, current_assignee_id=complaint.assignee_id, assignee_id=None
        )
        is None
    )


def may_merge(*, user: User, complaint: ComplaintState) -> bool:
    """Merge this complaint, a duplicate, into another one (of the same customer)."""
    return user.is_handler and complaint.status in MERGEABLE_STATUSES


def may_merge_across_customers(user: User) -> bool:
    """Merge a complaint into another customer's (one matter reported by two people)."""
    return user.role in SUPERVISOR_ROLES


def may_conclude_review(*, user: User, complaint: ComplaintState) -> bool:
    """Conclude the customer's internal review: supervisors and admins, while it is open."""
    return user.role in SUPERVISOR_ROLES and review_open(complaint)


# --------------------------------------------------------------------------- one caller


def allowed_transitions(
    *, complaint: ComplaintState, user: User | None, now: datetime | None = None
) -> list[str]:
    """Statuses ``user`` may move ``complaint`` to right now (None = system, handler rights)."""
    role: str
    if user is None:
        role = Role.AGENT
    else:
        if not complaint_is_visible(user=user, complaint=complaint):
            return []
        role = user.role
    statuses = allowed_next_statuses(complaint.status, role)
    if Status.REOPENED in statuses and not reopen_window_open(complaint=complaint, now=now):
        statuses = [s for s in statuses if s != Status.REOPENED]
    return [str(s) for s in statuses]


@dataclass(frozen=True)
class Capabilities:
    """What one caller may do on one complaint right now (the API's ``can_*`` flags)."""

    allowed_transitions: list[str] = field(default_factory=list)
    transitions_requiring_reason: list[str] = field(default_factory=list)
    can_comment: bool = False
    can_upload: bool = False
    can_give_feedback: bool = False
    can_edit: bool = False
    can_set_priority: bool = False
    can_change_category: bool = False
    can_take: bool = False
    can_unassign: bool = False
    can_assign_anyone: bool = False
    can_post_internal: bool = False
    can_request_review: bool = False
    can_conclude_review: bool = False
    can_merge: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The flags by name, in declaration order (shallow: the lists are the flags' own)."""
        return {name: getattr(self, name) for name in CAPABILITY_NAMES}


CAPABILITY_NAMES = tuple(f.name for f in fields(Capabilities))


@dataclass(frozen=True, slots=True)
class StateValues:
    """A ``ComplaintState`` from plain values (a read path's row), without a model instance."""

    status: str
    customer_id: UUID
    assignee_id: UUID | None
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    ack_due_at: datetime
    resolve_due_at: datetime
    review_requested_at: datetime | None
    review_concluded_at: datetime | None


def _has_feedback(complaint: Complaint) -> bool:
    # The selectors load feedback with the complaint, so this reads no extra row.
    try:
        complaint.feedback  # noqa: B018 - the access is the check
    except Feedback.DoesNotExist:
        return False
    return True


def complaint_capabilities(
    *, complaint: Complaint, user: User | None, now: datetime | None = None
) -> Capabilities:
    """The caller's capabilities; nothing for anonymous callers or an invisible complaint."""
    return state_capabilities(
        complaint=complaint, has_feedback=_has_feedback(complaint), user=user, now=now
    )


def state_capabilities(
    *,
    complaint: ComplaintState,
    has_feedback: bool,
    user: User | None,
    now: datetime | None = None,
) -> Capabilities:
    """``complaint_capabilities`` for a complaint's state and whether it has feedback."""
    if user is None or not user.is_authenticated:
        return Capabilities()
    if not complaint_is_visible(user=user, complaint=complaint):
        return Capabilities()
    transitions = allowed_transitions(complaint=complaint, user=user, now=now)
    requiring_reason = [s for s in transitions if s in REASON_REQUIRED]
    if user.is_handler:
        return Capabilities(
            allowed_transitions=transitions,
            transitions_requiring_reason=requiring_reason,
            can_comment=True,
            can_upload=True,
            can_set_priority=may_reroute(user),
            can_change_category=may_reroute(user),
            can_take=may_take(user=user, complaint=complaint),
            can_unassign=may_unassign(user=user, complaint=complaint),
            can_assign_anyone=may_assign_anyone(user),
            can_post_internal=True,
            can_merge=may_merge(user=user, complaint=complaint),
            can_conclude_review=may_conclude_review(user=user, complaint=complaint),
        )
    conversation = customer_may_add_to_conversation(complaint.status)
    return Capabilities(
        allowed_transitions=transitions,
        transitions_requiring_reason=requiring_reason,
        can_comment=conversation,
        can_upload=conversation,
        can_give_feedback=customer_may_give_feedback(complaint.status) and not has_feedback,
        can_edit=customer_may_edit(complaint.status),
        can_request_review=customer_may_request_review(complaint),
    )
