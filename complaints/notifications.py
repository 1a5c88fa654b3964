"""Emails sent by the event tasks, as the notification matrix says.

An event becomes a ``Notice`` (its kind and visibility, read from the database, never
trusted from the event); ``deliver`` finds the recipients of every audience the matrix
emails, drops the actor and whoever turned the kind off, and sends each one message (text
and HTML). Addresses and names are decrypted from the database at send time; events never
carry them. ``notify`` claims (event_id, handler) in the transaction that sends
(``events.idempotency.run_once``), so a redelivered event sends nothing the second time;
a concurrent duplicate waits on the claim and then skips.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.emails import frontend_link
from accounts.models import User
from accounts.selectors import users_emailed
from complaints.models import Attachment, Comment, Complaint, Status
from complaints.notification_matrix import (
    AUDIENCE_ROLES,
    Audience,
    Channel,
    Kind,
    Visibility,
    channels,
    tells_actor,
)
from events.idempotency import run_once

logger = logging.getLogger(__name__)

# Each pgcrypto column costs a decryption in PostgreSQL: the emails load only what the
# templates and the recipient checks read.
_RECIPIENT_FIELDS = ("id", "email", "full_name", "role", "is_active", "erased_at", "time_zone")
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
)
_PEOPLE = ("customer", "assignee", "category__default_assignee")


@dataclass(frozen=True)
class Notice:
    kind: Kind
    visibility: Visibility
    complaint: Complaint
    actor_id: str | None
    context: dict[str, Any] = field(default_factory=dict)


def load_complaint(complaint_id: str, *, resolution: bool = False) -> Complaint | None:
    """The complaint with its customer, assignee and category's default assignee (one query)."""
    fields = [*_COMPLAINT_FIELDS, "category__name", "category__slug"]
    fields += [f"{person}__{name}" for person in _PEOPLE for name in _RECIPIENT_FIELDS]
    if resolution:
        fields.append("resolution")
    try:  # get(), not filter().first(): no ORDER BY to build for a primary-key lookup
        return Complaint.objects.select_related(*_PEOPLE).only(*fields).get(pk=complaint_id)
    except Complaint.DoesNotExist:
        return None


def _deliverable(user: User | None) -> bool:
    return bool(user and user.is_active and user.erased_at is None and user.email)


def _staff(user: User | None) -> bool:
    return _deliverable(user) and user is not None and user.is_handler


def _supervisors() -> list[User]:
    return list(
        User.objects.filter(
            role__in=AUDIENCE_ROLES[Audience.SUPERVISORS], is_active=True, erased_at__isnull=True
        )
        .only(*_RECIPIENT_FIELDS)
        .order_by("date_joined", "id")
    )


def handling_staff(complaint: Complaint) -> list[User]:
    """The assignee; unassigned, the category's default assignee; else the supervisors."""
    for person in (complaint.assignee, complaint.category.default_assignee):
        if _staff(person) and person is not None:
            return [person]
    return _supervisors()


def _audience(complaint: Complaint, audience: Audience) -> list[User]:
    if audience == Audience.CUSTOMER:
        return [complaint.customer]
    if audience == Audience.HANDLER:
        return handling_staff(complaint)
    return _supervisors()


def recipients(notice: Notice) -> list[User]:
    """Who gets an email for ``notice``: every emailed audience, without the actor (unless
    the row tells the actor) or anyone who turned the kind off, each once, in audience order."""
    found: dict[str, User] = {}
    skip = None if tells_actor(notice.kind, notice.visibility) else str(notice.actor_id)
    for audience in Audience:
        if Channel.EMAIL not in channels(notice.kind, notice.visibility, audience):
            continue
        for user in _audience(notice.complaint, audience):
            if _deliverable(user) and str(user.pk) != skip:
                found.setdefault(str(user.pk), user)
    wanted = users_emailed(user_ids=[user.pk for user in found.values()], kind=notice.kind)
    return [user for user in found.values() if user.pk in wanted]


def render(notice: Notice, user: User) -> EmailMultiAlternatives:
    """One multipart message (text, then HTML) for ``user``, times in their own zone."""
    complaint = notice.complaint
    template = f"complaints/email/{notice.kind.value}_{notice.visibility.value}"
    link = frontend_link("complaint_detail", id=str(complaint.pk))
    ctx = {
        **notice.context,
        "recipient": user,
        "complaint": complaint,
        "link": link,
        "rating_link": f"{link}#rate",
    }
    # The templates name the zone ("e").
    with timezone.override(user.time_zone or settings.TIME_ZONE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        text = render_to_string(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def deliver(notice: Notice) -> int:
    """Email every recipient of ``notice``; how many were sent."""
    messages = [render(notice, user) for user in recipients(notice)]
    for message in messages:
        message.send()
    return len(messages)


# --------------------------------------------------------------------------- classifying


def _labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in Status.choices}


def status_notice(envelope: dict[str, Any]) -> Notice | None:
    """A status change: resolved, reopened by the customer, or any other change."""
    payload = envelope["payload"]
    to_status = payload.get("to_status")
    complaint = load_complaint(envelope["aggregate_id"], resolution=to_status == Status.RESOLVED)
    if complaint is None:
        return None
    by_customer = str(payload.get("actor_id")) == str(complaint.customer_id)
    if to_status == Status.RESOLVED:
        kind = Kind.RESOLVED
    elif to_status == Status.REOPENED and by_customer:
        kind = Kind.REOPENED
    else:
        kind = Kind.STATUS_CHANGED
    labels = _labels()
    context = {
        "from_status": labels.get(payload.get("from_status"), payload.get("from_status")),
        "to_status": labels.get(to_status, to_status),
    }
    return Notice(kind, Visibility.PUBLIC, complaint, payload.get("actor_id"), context)


def comment_notice(envelope: dict[str, Any]) -> Notice | None:
    """A customer's reply, a staff reply or an internal note; the flag comes from the database."""
    comment = (
        Comment.objects.only("id", "complaint_id", "author_id", "is_internal", "body")
        .filter(pk=envelope["payload"].get("comment_id"), complaint_id=envelope["aggregate_id"])
        .first()
    )
    complaint = load_complaint(envelope["aggregate_id"]) if comment is not None else None
    if comment is None or complaint is None:
        return None
    by_customer = comment.author_id == complaint.customer_id
    kind = Kind.CUSTOMER_REPLY if by_customer else Kind.STAFF_COMMENT
    visibility = Visibility.INTERNAL if comment.is_internal else Visibility.PUBLIC
    return Notice(kind, visibility, complaint, str(comment.author_id), {"comment": comment})


def attachment_notice(envelope: dict[str, Any]) -> Notice | None:
    """A file the customer added (staff uploads belong to their reply: no notice of their own)."""
    attachment = (
        Attachment.objects.only("id", "complaint_id", "uploaded_by_id", "original_name")
        .filter(pk=envelope["payload"].get("attachment_id"), complaint_id=envelope["aggregate_id"])
        .first()
    )
    complaint = load_complaint(envelope["aggregate_id"]) if attachment is not None else None
    if attachment is None or complaint is None:
        return None
    if attachment.uploaded_by_id != complaint.customer_id:
        return None
    return Notice(
        Kind.CUSTOMER_UPLOAD,
        Visibility.PUBLIC,
        complaint,
        str(attachment.uploaded_by_id),
        {"attachment": attachment},
    )


def assigned_notice(envelope: dict[str, Any]) -> Notice | None:
    """The new assignee, if the complaint is still theirs (an older move tells nobody)."""
    payload = envelope["payload"]
    to_assignee = payload.get("to_assignee_id")
    complaint = load_complaint(envelope["aggregate_id"]) if to_assignee else None
    if complaint is None or str(complaint.assignee_id) != str(to_assignee):
        return None
    return Notice(Kind.ASSIGNED, Visibility.INTERNAL, complaint, payload.get("actor_id"))


def simple_notice(
    envelope: dict[str, Any],
    *,
    kind: Kind,
    visibility: Visibility = Visibility.PUBLIC,
    context: tuple[str, ...] = (),
) -> Notice | None:
    """A notice whose kind the event type alone decides; ``context``: payload keys the
    templates read (codes and timestamps only, as in every payload)."""
    complaint = load_complaint(envelope["aggregate_id"])
    if complaint is None:
        return None
    payload = envelope["payload"]
    values = {key: payload.get(key) for key in context}
    return Notice(kind, visibility, complaint, payload.get("actor_id"), values)


def notify(
    envelope: dict[str, Any],
    *,
    handler: str,
    notice_for: Callable[[dict[str, Any]], Notice | None],
) -> bool:
    """Once per (event, handler): classify the event and email the notice's recipients.

    False if this handler already processed the event. The notice is read inside the claim's
    transaction, so a duplicate waiting on the claim never sends.
    """

    def effect(e: dict[str, Any]) -> None:
        notice = notice_for(e)
        if notice is not None:
            deliver(notice)

    return run_once(envelope, handler, effect)
