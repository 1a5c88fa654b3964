"""Complaint use cases (writes). Each public function is one transaction.

Every use case records its history (``history_record``) and its domain event inside that
transaction, so the outbox row commits or rolls back together with the change.

Errors, all free of HTTP (``complaints_project.exceptions`` maps them for the API):
- ``django.core.exceptions.ValidationError`` (field -> messages): bad input;
- ``complaints.errors.NotFound``: a customer touching another customer's complaint;
- ``complaints.errors.NotAllowed``: the actor may see the complaint but not do this;
- ``complaints.errors.ConflictError`` and its subclasses (``TransitionNotAllowed``,
  ``IdempotencyKeyReused``): the complaint's current state does not allow it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import SUPERVISOR_ROLES, Role
from complaints import events, notification_matrix
from complaints.errors import (
    ConflictError,
    EmailNotVerified,
    IdempotencyKeyReused,
    NotAllowed,
    NotFound,
    SupervisorsOnly,
    TransitionNotAllowed,
)
from complaints.history import history_record
from complaints.models import (
    RATING_MAX,
    RATING_MIN,
    REFERENCE_PREFIX,
    REFERENCE_SEQUENCE,
    BusinessCalendar,
    Category,
    Channel,
    Comment,
    Complaint,
    Feedback,
    HistoryEntry,
    HistoryKind,
    IdempotencyKey,
    Priority,
    RemedyOutcome,
)
from complaints.policies import (
    allowed_transitions,
    assignment_refusal,
    customer_may_add_to_conversation,
    customer_may_edit,
    customer_may_give_feedback,
    may_reroute,
    remedy_outcome_required,
    reopen_window_open,
)
from complaints.search import (
    SearchSource,
    search_reindex,
    search_tokens_add,
    tokens_for,
)
from complaints.sla_policy import acknowledge_due_at, calendar_for, resolve_due_at, shift_due
from complaints.visibility import NOT_FOUND, complaints_visible_to, ensure_complaint_visible
from complaints.workflow import REASON_REQUIRED, SLA_PAUSED_STATUSES, Status

TITLE_MAX_LENGTH = 200
REMEDY_SOUGHT_MAX_LENGTH = 2000
# Statuses in which a customer can no longer add to the conversation.


# --------------------------------------------------------------------------- helpers


def _customer_activity(
    complaint: Complaint, *, kind: notification_matrix.Kind, now: datetime
) -> list[str]:
    """Record the customer's activity if the matrix shows ``kind`` in the app; fields to save."""
    if not notification_matrix.marks_unread(kind):
        return []
    complaint.last_customer_activity_at = now
    return ["last_customer_activity_at"]


def _is_customer(actor: User | None) -> bool:
    return actor is not None and not actor.is_handler


def _lock(complaint: Complaint) -> Complaint:
    """Re-read the complaint row under ``SELECT ... FOR UPDATE`` (its own row only).

    With its category (SLA hours); the people are not joined: the services need only their
    ids, and the API re-reads the complaint for the caller anyway.
    """
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=complaint.pk)
    )


def _lock_visible(complaint: Complaint, *, user: User | None) -> Complaint:
    """``_lock``, then the visibility check every use case makes for its actor (``NotFound``)."""
    complaint = _lock(complaint)
    ensure_complaint_visible(user=user, complaint=complaint)
    return complaint


def _clean_text(value: Any, *, field: str, max_length: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: ["Must be a string."]})
    if not text:
        raise ValidationError({field: ["This field may not be blank."]})
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            {field: [f"Ensure this field has no more than {max_length} characters."]}
        )
    return text


def _coerce_priority(value: Any) -> Priority:
    try:
        if isinstance(value, str) and not value.isdigit():
            return Priority.from_name(value)
        return Priority(int(value))
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationError({"priority": [f"'{value}' is not a valid priority."]}) from exc


def _next_reference(now: datetime) -> str:
    # nextval() is never rolled back: references are unique and race-free, gaps are expected.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [REFERENCE_SEQUENCE])
        (number,) = cursor.fetchone()
    return f"{REFERENCE_PREFIX}{now.year}-{number:06d}"


def _resolve_clock_start(complaint: Complaint) -> datetime:
    """The resolution clock runs from creation, or from the latest reopening."""
    reopened_at = (
        HistoryEntry.objects.filter(
            complaint=complaint, kind=HistoryKind.STATUS_CHANGED, to_value=Status.REOPENED
        )
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return reopened_at or complaint.created_at


def _resume_resolve_clock(complaint: Complaint, *, paused_at: datetime, now: datetime) -> list[str]:
    """End the resolve clock's pause: the due time moves on by the business time paused.

    A breach before the pause stays one (the due time moves by no more than the time spent).
    """
    calendar = calendar_for(complaint.category)
    paused = calendar.between(paused_at, now)
    complaint.sla_paused += paused
    complaint.resolve_due_at = shift_due(calendar, complaint.resolve_due_at, paused)
    complaint.sla_paused_at = None
    return ["sla_paused", "sla_paused_at", "resolve_due_at"]


# --------------------------------------------------------------------------- complaints


@transaction.atomic
def complaint_create(
    *,
    customer: User,
    category: Category,
    title: str,
    description: str,
    channel: str = Channel.WEB,
    priority: int = Priority.NORMAL,
    actor: User | None = None,
    remedy_sought: str = "",
) -> Complaint:
    """File a complaint for ``customer``; ``actor`` is who filed it (None = the system).

    ``remedy_sought``: what the customer asks for to put it right (optional, ISO 10002)."""
    if not category.is_active:
        raise ValidationError({"category": ["This category is not accepting complaints."]})
    title = _clean_text(title, field="title", max_length=TITLE_MAX_LENGTH)
    description = _clean_text(description, field="description")
    if channel not in Channel.values:
        raise ValidationError({"channel": [f"'{channel}' is not a valid channel."]})
    priority = _coerce_priority(priority)
    remedy_sought = (remedy_sought or "").strip()
    if len(remedy_sought) > REMEDY_SOUGHT_MAX_LENGTH:
        raise ValidationError(
            {
                "remedy_sought": [
                    f"Ensure this field has no more than {REMEDY_SOUGHT_MAX_LENGTH} characters."
                ]
            }
        )

    now = timezone.now()
    calendar = calendar_for(category)
    complaint = Complaint.objects.create(
        reference=_next_reference(now),
        customer=customer,
        category=category,
        title=title,
        description=description,
        remedy_sought=remedy_sought,
        channel=channel,
        priority=priority,
        status=Status.NEW,
        created_at=now,
        last_customer_activity_at=now,
        search_tokens=tokens_for(
            SearchSource(title=title, description=description, customer_name=customer.full_name)
        ),
        ack_due_at=acknowledge_due_at(
            category=category, priority=priority, start=now, calendar=calendar
        ),
        resolve_due_at=resolve_due_at(
            category=category, priority=priority, start=now, calendar=calendar
        ),
    )
    history_record(complaint=complaint, actor=actor, kind=HistoryKind.CREATED, to_value=Status.NEW)
    events.emit_created(complaint=complaint, actor=actor)
    return complaint


def _filed_for(*, actor: User, customer_id: UUID | None) -> User:
    """Whom a complaint is filed for: staff may name an active customer, anyone else files
    for themselves."""
    if not actor.is_handler or customer_id is None:
        return actor
    customer = User.objects.filter(pk=customer_id, role=Role.CUSTOMER, is_active=True).first()
    if customer is None:
        raise ValidationError({"customer_id": ["No such active customer."]})
    return customer


def _idempotency_fingerprint(data: dict[str, Any]) -> str:
    """A stable hash of a create request's effective input (stored: keep the format)."""
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def complaint_file(
    *,
    actor: User,
    category: Category,
    title: str,
    description: str,
    channel: str = Channel.WEB,
    priority: int | None = None,
    customer_id: UUID | None = None,
    idempotency_key: str | None = None,
    remedy_sought: str = "",
) -> tuple[Complaint, bool]:
    """A signed-in user files a complaint; returns (complaint, created).

    Staff may file on behalf of a customer (``customer_id``, default themselves) and set the
    priority; for a customer both are ignored. With an ``idempotency_key`` a retry of the same
    request creates nothing and returns the first complaint with ``created`` False; the same
    key with other input is ``IdempotencyKeyReused``. A customer must have verified their
    email first (``EmailNotVerified``); staff may file for any active customer.
    """
    if not actor.is_handler and not actor.email_verified:
        raise EmailNotVerified()
    customer = _filed_for(actor=actor, customer_id=customer_id)
    if not actor.is_handler or priority is None:
        priority = Priority.NORMAL
    create_kwargs: dict[str, Any] = {
        "customer": customer,
        "category": category,
        "title": title,
        "description": description,
        "channel": channel,
        "priority": priority,
        "remedy_sought": remedy_sought,
    }
    if idempotency_key is None:
        return complaint_create(actor=actor, **create_kwargs), True
    fingerprint = _idempotency_fingerprint(
        {
            **create_kwargs,
            "customer": customer.pk,
            "category": category.pk,
            "priority": int(priority),
        }
    )
    return _complaint_create_once(
        actor=actor, key=idempotency_key, fingerprint=fingerprint, create_kwargs=create_kwargs
    )


def _idempotency_claim(*, actor: User, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Inside a transaction: take the (actor, key) lock and return the earlier use of the key
    (``IdempotencyKeyReused`` if it was used with other input), None when it is new.

    A transaction-scoped advisory lock on (actor, key) serialises concurrent retries, so the
    second one waits, then finds the first one's row; the unique constraint is the backstop.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"complaint-idempotency:{actor.pk}:{key}"],
        )
    existing = (
        IdempotencyKey.objects.select_related("complaint", "comment")
        .filter(user=actor, key=key)
        .first()
    )
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return existing


@transaction.atomic
def _complaint_create_once(
    *, actor: User, key: str, fingerprint: str, create_kwargs: dict[str, Any]
) -> tuple[Complaint, bool]:
    """``complaint_create`` at most once per (actor, key)."""
    existing = _idempotency_claim(actor=actor, key=key, fingerprint=fingerprint)
    if existing is not None:
        return existing.complaint, False
    complaint = complaint_create(actor=actor, **create_kwargs)
    IdempotencyKey.objects.create(
        user=actor, key=key, request_fingerprint=fingerprint, complaint=complaint
    )
    return complaint, True


def _ensure_may_move(
    *, complaint: Complaint, actor: User | None, to_status: str, now: datetime
) -> None:
    from_status = complaint.status
    allowed = allowed_transitions(complaint=complaint, user=actor, now=now)
    if to_status in allowed:
        return
    message = None
    if (
        to_status == Status.REOPENED
        and from_status == Status.RESOLVED
        and _is_customer(actor)
        and not reopen_window_open(complaint=complaint, now=now)
    ):
        message = "The reopen window for this complaint has passed."
    raise TransitionNotAllowed(
        current_status=from_status, to_status=to_status, allowed=allowed, message=message
    )


def _check_remedy_outcome(*, complaint: Complaint, to_status: str, outcome: str) -> None:
    if outcome and outcome not in RemedyOutcome.values:
        raise ValidationError({"remedy_outcome": [f"'{outcome}' is not a valid outcome."]})
    if outcome and to_status not in REASON_REQUIRED:
        raise ValidationError(
            {"remedy_outcome": ["An outcome is recorded only when resolving or rejecting."]}
        )
    if not outcome and remedy_outcome_required(
        remedy_sought=complaint.remedy_sought, to_status=to_status
    ):
        raise ValidationError(
            {
                "remedy_outcome": [
                    "The customer asked for a remedy: record whether it is granted, partially "
                    "granted or declined."
                ]
            }
        )


def _enter_status(complaint: Complaint, *, to_status: str, reason: str, now: datetime) -> list[str]:
    """Set the status and what entering it records; the fields to save."""
    from_status = complaint.status
    complaint.status = to_status
    fields = ["status", "updated_at"]
    if to_status == Status.ACKNOWLEDGED and complaint.acknowledged_at is None:
        complaint.acknowledged_at = now
        fields.append("acknowledged_at")
    elif to_status == Status.RESOLVED:
        complaint.resolved_at = now
        complaint.resolution = reason
        fields += ["resolved_at", "resolution"]
    elif to_status == Status.REJECTED:
        complaint.rejection_reason = reason
        fields.append("rejection_reason")
    elif to_status == Status.CLOSED:
        complaint.closed_at = now
        fields.append("closed_at")
    elif to_status == Status.REOPENED:
        complaint.resolved_at = None
        complaint.resolve_due_at = resolve_due_at(
            category=complaint.category, priority=complaint.priority, start=now
        )
        complaint.resolve_breached_at = None
        complaint.sla_paused = timedelta(0)
        fields += ["resolved_at", "resolve_due_at", "resolve_breached_at", "sla_paused"]
    if from_status in SLA_PAUSED_STATUSES and complaint.sla_paused_at is not None:
        fields += _resume_resolve_clock(complaint, paused_at=complaint.sla_paused_at, now=now)
    if to_status in SLA_PAUSED_STATUSES:
        complaint.sla_paused_at = now
        fields.append("sla_paused_at")
    return fields


@transaction.atomic
def complaint_transition(
    *,
    complaint: Complaint,
    actor: User | None,
    to_status: str,
    reason: str = "",
    remedy_outcome: str = "",
) -> Complaint:
    """Move a complaint along the workflow; ``actor`` None is the system (handler rights).

    ``remedy_outcome`` (``RemedyOutcome``): what became of the remedy the customer asked for;
    required when resolving or rejecting a complaint that names one, refused on other moves."""
    complaint = _lock_visible(complaint, user=actor)
    now = timezone.now()
    from_status = complaint.status
    _ensure_may_move(complaint=complaint, actor=actor, to_status=to_status, now=now)
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED and not reason:
        label = Status(to_status).label
        raise ValidationError({"reason": [f"A reason is required to move to “{label}”."]})
    _check_remedy_outcome(complaint=complaint, to_status=to_status, outcome=remedy_outcome)

    fields = _enter_status(complaint, to_status=to_status, reason=reason, now=now)
    if to_status == Status.REOPENED and _is_customer(actor):
        fields += _customer_activity(complaint, kind=notification_matrix.Kind.REOPENED, now=now)
    if remedy_outcome:
        complaint.remedy_outcome = remedy_outcome
        fields.append("remedy_outcome")
    complaint.save(update_fields=fields)

    history_record(
        complaint=complaint,
        actor=actor,
        kind=HistoryKind.STATUS_CHANGED,
        from_value=from_status,
        to_value=to_status,
    )
    events.emit_status_changed(
        complaint=complaint,
        actor=actor,
        from_status=str(from_status),
        to_status=str(to_status),
    )
    return complaint


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, actor: User | None, assignee: User | None
) -> Complaint:
    """Set or clear the assignee (``policies.assignment_refusal`` says who may move what)."""
    complaint = _lock_visible(complaint, user=actor)
    if actor is not None:
        if not actor.is_handler:
            raise NotAllowed("Only staff can assign complaints.")
        refusal = assignment_refusal(
            actor=actor,
            current_assignee_id=complaint.assignee_id,
            assignee_id=assignee.pk if assignee is not None else None,
        )
        if refusal is not None:
            raise SupervisorsOnly(refusal)
    if assignee is not None and not (assignee.is_handler and assignee.is_active):
        raise ValidationError({"assignee_id": ["The assignee must be an active staff member."]})

    from_id = complaint.assignee_id
    to_id = assignee.pk if assignee is not None else None
    if from_id == to_id:
        return complaint
    complaint.assignee = assignee
    complaint.save(update_fields=["assignee", "updated_at"])
    history_record(
        complaint=complaint,
        actor=actor,
        kind=HistoryKind.ASSIGNEE_CHANGED,
        from_value=from_id or "",
        to_value=to_id or "",
    )
    events.emit_assigned(
        complaint=complaint,
        actor=actor,
        from_assignee_id=from_id,
        to_assignee_id=to_id,
    )
    return complaint


@transaction.atomic
def complaint_edit(
    *,
    complaint: Complaint,
    actor: User | None,
    title: str | None = None,
    description: str | None = None,
) -> Complaint:
    """The customer's edit: the title and description of their own complaint while it is NEW.

    Staff never rewrite the customer's words; ``actor`` None is the system (any status).
    A field left None is kept.
    """
    complaint = _lock_visible(complaint, user=actor)
    if actor is not None:
        if actor.is_handler:
            raise NotAllowed("Staff cannot edit the customer's title or description.")
        if not customer_may_edit(complaint.status):
            raise ConflictError(
                "A complaint can only be edited while it is new.",
                current_status=complaint.status,
            )

    changes: dict[str, tuple[str, str]] = {}
    if title is not None:
        title = _clean_text(title, field="title", max_length=TITLE_MAX_LENGTH)
        if title != complaint.title:
            changes["title"] = (complaint.title, title)
            complaint.title = title
    if description is not None:
        description = _clean_text(description, field="description")
        if description != complaint.description:
            # The event reports free-text changes without their text.
            changes["description"] = (complaint.description, description)
            complaint.description = description
    if not changes:
        return complaint

    complaint.save(update_fields=[*changes, "updated_at"])
    search_reindex(complaint_ids=[complaint.pk])
    complaint.refresh_from_db(fields=["search_tokens"])
    events.emit_updated(complaint=complaint, actor=actor, changes=changes)
    return complaint


def _follow_sla(complaint: Complaint) -> list[str]:
    """Recompute the due times of the clocks still running for the complaint's (new) category
    and priority; a breach that is no longer one is cleared. Returns the changed fields."""
    now = timezone.now()
    calendar = calendar_for(complaint.category)
    fields: list[str] = []
    if complaint.acknowledged_at is None:
        complaint.ack_due_at = acknowledge_due_at(
            category=complaint.category,
            priority=complaint.priority,
            start=complaint.created_at,
            calendar=calendar,
        )
        fields.append("ack_due_at")
        if complaint.ack_breached_at and complaint.ack_due_at > now:
            complaint.ack_breached_at = None
            fields.append("ack_breached_at")
    if complaint.resolved_at is None:
        # Pauses count on the new calendar too; a pause still running is counted on resume.
        complaint.resolve_due_at = resolve_due_at(
            category=complaint.category,
            priority=complaint.priority,
            start=_resolve_clock_start(complaint),
            paused=complaint.sla_paused,
            calendar=calendar,
        )
        fields.append("resolve_due_at")
        if complaint.resolve_breached_at and complaint.resolve_due_at > now:
            complaint.resolve_breached_at = None
            fields.append("resolve_breached_at")
    return fields


@transaction.atomic
def complaint_reroute(
    *,
    complaint: Complaint,
    actor: User | None,
    priority: int | str | None = None,
    category: Category | None = None,
) -> Complaint:
    """The supervisor's re-route: a new priority and/or category, and the SLA follows.

    Supervisors and admins only; ``actor`` None is the system (triage raising the priority).
    A field left None is kept. Clocks that have stopped keep their due times.
    """
    complaint = _lock_visible(complaint, user=actor)
    if actor is not None:
        if not actor.is_handler:
            raise NotAllowed("Customers cannot change priority or category.")
        if not may_reroute(actor):
            raise NotAllowed("Only supervisors can change priority or category.")

    changes: dict[str, tuple[Any, Any]] = {}
    history: list[tuple[HistoryKind, str, str]] = []
    if priority is not None:
        new_priority = _coerce_priority(priority)
        if new_priority != complaint.priority:
            old = Priority(complaint.priority)
            changes["priority"] = (old, new_priority)
            history.append((HistoryKind.PRIORITY_CHANGED, old.label, new_priority.label))
            complaint.priority = new_priority
    if category is not None and category.pk != complaint.category_id:
        if not category.is_active:
            raise ValidationError({"category": ["This category is not active."]})
        old_category = complaint.category
        changes["category"] = (old_category.pk, category.pk)
        history.append((HistoryKind.CATEGORY_CHANGED, old_category.name, category.name))
        complaint.category = category
    if not changes:
        return complaint

    complaint.save(update_fields=[*changes, *_follow_sla(complaint), "updated_at"])
    for kind, old_value, new_value in history:
        history_record(
            complaint=complaint, actor=actor, kind=kind, from_value=old_value, to_value=new_value
        )
    events.emit_updated(complaint=complaint, actor=actor, changes=changes)
    return complaint


# --------------------------------------------------------------------------- conversation


@transaction.atomic
def comment_create(
    *, complaint: Complaint, author: User, body: str, internal: bool = False
) -> Comment:
    """Add a comment (or, for staff, an internal note).

    A customer's reply while the complaint awaits them moves it back to IN_PROGRESS.
    """
    complaint = _lock_visible(complaint, user=author)
    body = _clean_text(body, field="body")
    is_customer = not author.is_handler
    if is_customer:
        if internal:
            raise ValidationError({"internal": ["Customers cannot post internal notes."]})
        if not customer_may_add_to_conversation(complaint.status):
            raise ConflictError(
                "This complaint is finished; no more comments can be added.",
                current_status=complaint.status,
            )

    comment = Comment.objects.create(
        complaint=complaint, author=author, body=body, is_internal=bool(internal)
    )
    if not internal:
        # Internal notes leave updated_at alone, so customers cannot notice them.
        fields = ["updated_at"]
        if is_customer:
            kind = notification_matrix.Kind.CUSTOMER_REPLY
            fields += _customer_activity(complaint, kind=kind, now=comment.created_at)
        complaint.save(update_fields=fields)
    search_tokens_add(complaint=complaint, text=body, internal=bool(internal))
    history_record(
        complaint=complaint,
        actor=author,
        kind=HistoryKind.COMMENT_ADDED,
        to_value=comment.pk,
        is_internal=bool(internal),
    )
    events.emit_commented(complaint=complaint, actor=author, comment=comment)
    if is_customer and complaint.status == Status.AWAITING_CUSTOMER:
        complaint_transition(complaint=complaint, actor=None, to_status=Status.IN_PROGRESS)
    return comment


@transaction.atomic
def comment_post(
    *,
    complaint: Complaint,
    author: User,
    body: str,
    internal: bool = False,
    idempotency_key: str | None = None,
) -> tuple[Comment, bool]:
    """``comment_create`` at most once per (author, key); returns (comment, created).

    A retry with the same key and input (a double click, a resend after a timeout) returns
    the first comment; the same key with other input is ``IdempotencyKeyReused``.
    """
    if idempotency_key is None:
        return comment_create(
            complaint=complaint, author=author, body=body, internal=internal
        ), True
    fingerprint = _idempotency_fingerprint(
        {
            "use": "comment",
            "complaint": complaint.pk,
            "body": (body or "").strip() if isinstance(body, str) else body,
            "internal": bool(internal),
        }
    )
    existing = _idempotency_claim(actor=author, key=idempotency_key, fingerprint=fingerprint)
    if existing is not None:
        if existing.comment is None:  # the key filed a complaint; fingerprints differ anyway
            raise IdempotencyKeyReused()
        return existing.comment, False
    comment = comment_create(complaint=complaint, author=author, body=body, internal=internal)
    IdempotencyKey.objects.create(
        user=author,
        key=idempotency_key,
        request_fingerprint=fingerprint,
        complaint=comment.complaint,
        comment=comment,
    )
    return comment, True


@transaction.atomic
def feedback_submit(
    *, complaint: Complaint, customer: User, rating: int, comment: str = ""
) -> Feedback:
    """The owner rates the handling of a resolved or closed complaint, once."""
    complaint = _lock_visible(complaint, user=customer)
    if complaint.customer_id != customer.pk:
        raise NotAllowed("Only the customer who filed the complaint can give feedback.")
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not RATING_MIN <= rating <= RATING_MAX
    ):
        raise ValidationError({"rating": ["Rating must be a whole number from 1 to 5."]})
    if not customer_may_give_feedback(complaint.status):
        raise ConflictError(
            "Feedback can only be given once the complaint is resolved or closed.",
            current_status=complaint.status,
        )
    if Feedback.objects.filter(complaint=complaint).exists():
        raise ConflictError("Feedback has already been given for this complaint.")
    feedback = Feedback.objects.create(
        complaint=complaint, rating=rating, comment=(comment or "").strip()
    )
    fields = _customer_activity(
        complaint, kind=notification_matrix.Kind.FEEDBACK, now=feedback.created_at
    )
    if fields:
        complaint.save(update_fields=fields)
    history_record(
        complaint=complaint,
        actor=customer,
        kind=HistoryKind.FEEDBACK_RECEIVED,
        to_value=rating,
    )
    events.emit_feedback_received(complaint=complaint, actor=customer, feedback=feedback)
    return feedback


# --------------------------------------------------------------------------- categories


def _ensure_category_manager(actor: User | None) -> None:
    if actor is not None and actor.role not in SUPERVISOR_ROLES:
        raise NotAllowed("Only supervisors can manage categories.")


def _check_default_assignee(user: User | None) -> None:
    if user is not None and not (user.is_handler and user.is_active):
        raise ValidationError({"default_assignee_id": ["Must be an active staff member."]})


# What a supervisor may set on a category, in the order forms show it.
CATEGORY_FIELDS = (
    "name",
    "slug",
    "is_active",
    "acknowledge_within_hours",
    "resolve_within_hours",
    "default_assignee",
    "business_calendar",
)


@transaction.atomic
def category_create(
    *,
    actor: User | None,
    name: str,
    slug: str = "",
    is_active: bool = True,
    acknowledge_within_hours: int = 48,
    resolve_within_hours: int = 240,
    default_assignee: User | None = None,
    business_calendar: BusinessCalendar | None = None,
) -> Category:
    _ensure_category_manager(actor)
    _check_default_assignee(default_assignee)
    name = _clean_text(name, field="name", max_length=100)
    slug = slug or slugify(name)
    if not slug:
        raise ValidationError({"slug": ["Could not derive a slug from the name."]})
    if Category.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ["A category with this slug already exists."]})
    if Category.objects.filter(name=name).exists():
        raise ValidationError({"name": ["A category with this name already exists."]})
    return Category.objects.create(
        name=name,
        slug=slug,
        is_active=is_active,
        acknowledge_within_hours=acknowledge_within_hours,
        resolve_within_hours=resolve_within_hours,
        default_assignee=default_assignee,
        business_calendar=business_calendar,
    )


@transaction.atomic
def category_update(*, category: Category, actor: User | None, **changes: Any) -> Category:
    _ensure_category_manager(actor)
    unknown = set(changes).difference(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if "default_assignee" in changes:
        _check_default_assignee(changes["default_assignee"])
    if "name" in changes:
        changes["name"] = _clean_text(changes["name"], field="name", max_length=100)
        if Category.objects.filter(name=changes["name"]).exclude(pk=category.pk).exists():
            raise ValidationError({"name": ["A category with this name already exists."]})
    if "slug" in changes and (
        Category.objects.filter(slug=changes["slug"]).exclude(pk=category.pk).exists()
    ):
        raise ValidationError({"slug": ["A category with this slug already exists."]})
    for field, value in changes.items():
        setattr(category, field, value)
    if changes:
        category.save(update_fields=list(changes))
    return category


__all__ = [
    "category_create",
    "category_update",
    "comment_create",
    "complaint_assign",
    "complaint_create",
    "complaint_edit",
    "complaint_file",
    "complaint_reroute",
    "complaint_transition",
    "feedback_submit",
]


# --------------------------------------------------------------------------- read activity

_SEEN_UPSERT = """
INSERT INTO complaints_complaintseen (complaint_id, user_id, seen_at)
SELECT visible.id, %s, %s FROM ({visible}) AS visible
ON CONFLICT (complaint_id, user_id) DO UPDATE SET seen_at = EXCLUDED.seen_at
RETURNING 1
"""


def complaint_mark_seen(*, user: User, complaint_id: UUID | str) -> None:
    """A staff member opened the complaint: its customer activity so far is read for them.

    One statement: the upsert selects the complaint through ``complaints_visible_to``, so a
    complaint the caller cannot see (or that does not exist) is a ``NotFound``.
    """
    if not user.is_handler:
        raise NotAllowed("Only staff keep track of what they have read.")
    try:
        visible = complaints_visible_to(user=user).filter(pk=complaint_id).values("id")
        sql, params = visible.query.sql_with_params()
    except (ValueError, ValidationError) as exc:
        raise NotFound(NOT_FOUND) from exc
    with connection.cursor() as cursor:
        cursor.execute(_SEEN_UPSERT.format(visible=sql), [user.pk, timezone.now(), *params])
        if cursor.fetchone() is None:
            raise NotFound(NOT_FOUND)
