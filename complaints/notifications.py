"""Emails sent by the event tasks. Addresses are decrypted from the database at send time;
events never carry them. Internal notes are never sent to customers."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, User
from complaints.models import Comment, Complaint, Status

logger = logging.getLogger(__name__)


def _deliverable(user: User | None) -> bool:
    return bool(user and user.is_active and user.erased_at is None and user.email)


def send_templated(template: str, recipients: Iterable[User], context: dict) -> int:
    """Render complaints/email/<template>_{subject,body}.txt and .html; one message each."""
    sent = 0
    for user in recipients:
        if not _deliverable(user):
            continue
        ctx = {**context, "recipient": user}
        # Times in the recipient's own zone; the templates name it ("e").
        with timezone.override(user.time_zone or settings.TIME_ZONE):
            subject = " ".join(
                render_to_string(f"complaints/email/{template}_subject.txt", ctx).split()
            )
            text = render_to_string(f"complaints/email/{template}.txt", ctx)
            html = render_to_string(f"complaints/email/{template}.html", ctx)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        message.send()
        sent += 1
    return sent


# Each pgcrypto column costs a decryption in PostgreSQL: the emails load only what the
# templates and the recipient checks read (anything else still loads lazily if used).
_RECIPIENT_FIELDS = ("id", "email", "role", "is_active", "erased_at", "time_zone")
_COMPLAINT_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "priority",
    "assignee_id",
    "customer_id",
    "category_id",
    "ack_due_at",
    "resolve_due_at",
    "created_at",
    "review_concluded_at",
)


def _complaint(complaint_id: str, *, customer: bool = True) -> Complaint | None:
    related = ["category"]
    fields = [*_COMPLAINT_FIELDS, "category__name", "category__slug"]
    if customer:
        related.append("customer")
        fields += [f"customer__{name}" for name in _RECIPIENT_FIELDS]
    try:  # get(), not filter().first(): no ORDER BY to build for a primary-key lookup
        return Complaint.objects.select_related(*related).only(*fields).get(pk=complaint_id)
    except Complaint.DoesNotExist:
        return None


def send_receipt(complaint_id: str) -> int:
    complaint = _complaint(complaint_id)
    if complaint is None:
        return 0
    return send_templated("receipt", [complaint.customer], {"complaint": complaint})


def send_status_changed(
    complaint_id: str, from_status: str, to_status: str, actor_id: str | None
) -> int:
    complaint = _complaint(complaint_id)
    if complaint is None or str(complaint.customer_id) == str(actor_id):
        return 0  # the customer made the change themselves
    labels = dict(Status.choices)
    return send_templated(
        "status_changed",
        [complaint.customer],
        {
            "complaint": complaint,
            "from_status": labels.get(from_status, from_status),
            "to_status": labels.get(to_status, to_status),
        },
    )


def send_public_reply(complaint_id: str, comment_id: str) -> int:
    comment = Comment.objects.select_related("complaint__customer").filter(pk=comment_id).first()
    # Checked again against the database: an internal note never reaches a customer.
    if comment is None or comment.is_internal or str(comment.complaint_id) != str(complaint_id):
        return 0
    if comment.author_id == comment.complaint.customer_id:
        return 0
    return send_templated(
        "public_reply",
        [comment.complaint.customer],
        {"complaint": comment.complaint, "comment": comment},
    )


def send_assigned(complaint_id: str, assignee_id: str | None, actor_id: str | None) -> int:
    if assignee_id is None or str(assignee_id) == str(actor_id):
        return 0
    complaint = _complaint(complaint_id, customer=False)
    if complaint is None:
        return 0
    assignee = User.objects.only(*_RECIPIENT_FIELDS).filter(pk=assignee_id).first()
    if assignee is None or not assignee.is_handler:
        return 0
    return send_templated("assigned", [assignee], {"complaint": complaint})


def _supervisors():
    return User.objects.filter(role=Role.SUPERVISOR, is_active=True, erased_at__isnull=True).only(
        *_RECIPIENT_FIELDS
    )


def send_review_requested(complaint_id: str) -> int:
    """Supervisors learn that a customer asked for an internal review (no text of theirs)."""
    complaint = _complaint(complaint_id, customer=False)
    if complaint is None:
        return 0
    return send_templated("review_requested", _supervisors(), {"complaint": complaint})


def send_review_concluded(complaint_id: str) -> int:
    """The customer reads the review's outcome and note, and where they can go next."""
    complaint = _complaint(complaint_id)
    if complaint is None or complaint.review_concluded_at is None:
        return 0
    review = Complaint.objects.only("id", "review_outcome", "review_note").get(pk=complaint.pk)
    return send_templated(
        "review_concluded",
        [complaint.customer],
        {
            "complaint": complaint,
            "outcome": review.get_review_outcome_display(),
            "note": review.review_note,
            "referrals": settings.COMPLAINT_REFERRALS,
        },
    )


def send_sla_breached(complaint_id: str, clock: str, due_at: str | None) -> int:
    complaint = _complaint(complaint_id, customer=False)
    if complaint is None:
        return 0
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True, erased_at__isnull=True)
    return send_templated(
        "sla_breached",
        supervisors,
        {"complaint": complaint, "clock": clock, "due_at": due_at},
    )


def send_merged(complaint_id: str, into_id: str, actor_id: str | None) -> int:
    """Tell the duplicate's customer where their complaint carries on: the complaint it joined
    when it is theirs too; across customers only that it was merged with a report of the same
    matter (the other complaint is not theirs to see)."""
    complaint = _complaint(complaint_id)
    if complaint is None or str(complaint.customer_id) == str(actor_id):
        return 0
    into = Complaint.objects.only("id", "reference", "title", "customer_id").filter(pk=into_id)
    target = into.first()
    if target is None:
        return 0
    same_customer = target.customer_id == complaint.customer_id
    return send_templated(
        "merged",
        [complaint.customer],
        {"complaint": complaint, "into": target if same_customer else None},
    )
