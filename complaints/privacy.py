"""A person's complaint data: its part of the data export (GDPR art. 15) and of erasure (art. 17).

Registered with ``accounts.personal_data`` from ``ComplaintsConfig.ready()``, so the account
endpoints include it without accounts importing complaints.

Export: what a customer gets is what they can see through the API: their complaints with
public comments, non-internal history and visible attachment metadata, plus what they wrote
themselves. Other people appear only by role ("you", "staff", "system").

Erasure, inside the account erasure's transaction: the free text the user wrote (complaint
titles and descriptions, their comments, feedback comments, the file names of their uploads in
the history) becomes ``[erased]``; the files they uploaded and their idempotency keys are
deleted (the files after commit). What stays, for statistics and the audit trail: the
complaints with status, category, priority, timestamps and SLA clocks, the history entries,
feedback ratings, and text written by staff (resolutions, staff comments). Complaints assigned
to an erased handler keep the assignee (an inactive "Erased user") until a supervisor
reassigns them. The search tokens (``complaints.search``) of every complaint the user wrote on
are recomputed from what stays, without the user's name, so none of their words finds them.

``TEXT_COLUMNS`` says what erasure does with every text column of the complaint models; a test
fails when a text column is added without being listed there.
"""

import logging
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from accounts.personal_data import ERASED_TEXT, PersonalDataProvider, isoformat_or_none
from complaints.models import (
    Attachment,
    Comment,
    Complaint,
    Feedback,
    HistoryEntry,
    HistoryKind,
    IdempotencyKey,
)
from complaints.search import search_customer_renamed, search_reindex

logger = logging.getLogger(__name__)


class OnErasure(StrEnum):
    """What erasing a user does with a text column of the rows that are theirs."""

    REPLACED = "replaced by [erased]"
    DELETED = "the row is deleted"
    KEPT = "kept: not written by the user, or not personal"


TEXT_COLUMNS: dict[str, OnErasure] = {
    # SLA calendars: configuration, written by supervisors.
    "BusinessCalendar.name": OnErasure.KEPT,
    "BusinessCalendar.time_zone": OnErasure.KEPT,
    "Holiday.name": OnErasure.KEPT,
    # Canned responses: templates written by supervisors (placeholders, never customer data).
    "CannedResponse.title": OnErasure.KEPT,
    "CannedResponse.body": OnErasure.KEPT,
    "Category.name": OnErasure.KEPT,
    "Category.slug": OnErasure.KEPT,
    "Complaint.reference": OnErasure.KEPT,
    "Complaint.title": OnErasure.REPLACED,
    "Complaint.description": OnErasure.REPLACED,
    # Written by staff.
    "Complaint.resolution": OnErasure.KEPT,
    "Complaint.rejection_reason": OnErasure.KEPT,
    "Complaint.channel": OnErasure.KEPT,
    "Complaint.status": OnErasure.KEPT,
    "Comment.body": OnErasure.REPLACED,
    "Attachment.file": OnErasure.DELETED,
    "Attachment.original_name": OnErasure.DELETED,
    "Attachment.content_type": OnErasure.DELETED,
    "Attachment.sha256": OnErasure.DELETED,
    "Attachment.key_id": OnErasure.DELETED,
    "HistoryEntry.kind": OnErasure.KEPT,
    # Statuses, priorities, category names and user ids, written by the system.
    "HistoryEntry.from_value": OnErasure.KEPT,
    # The same, except on the user's "attachment added" entries: the name they gave the file.
    "HistoryEntry.to_value": OnErasure.REPLACED,
    "Feedback.comment": OnErasure.REPLACED,
    "IdempotencyKey.key": OnErasure.DELETED,
    "IdempotencyKey.request_fingerprint": OnErasure.DELETED,
}

EXPORT_SECTIONS = ("complaints", "comments", "feedback", "attachments")


def _who(*, user: User, actor_id) -> str:
    if actor_id is None:
        return "system"
    return "you" if actor_id == user.pk else "staff"


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": str(attachment.id),
        "complaint_id": str(attachment.complaint_id),
        "original_name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": isoformat_or_none(attachment.created_at),
    }


def _feedback(feedback: Feedback) -> dict[str, Any]:
    return {
        "complaint_id": str(feedback.complaint_id),
        "rating": feedback.rating,
        "comment": feedback.comment,
        "created_at": isoformat_or_none(feedback.created_at),
    }


def export_complaints_queryset(*, user: User) -> QuerySet[Complaint]:
    """The caller's own complaints with what they may see of each, in a fixed number of queries."""
    comments = Comment.objects.order_by("created_at")
    history = HistoryEntry.objects.order_by("created_at", "id")
    attachments = Attachment.objects.order_by("created_at")
    if not user.is_handler:
        comments = comments.filter(is_internal=False)
        history = history.filter(is_internal=False)
        attachments = attachments.filter(Q(comment__isnull=True) | Q(comment__is_internal=False))
    return (
        Complaint.objects.filter(customer=user)
        .select_related("category", "feedback")
        .prefetch_related(
            Prefetch("comments", queryset=comments, to_attr="export_comments"),
            Prefetch("history", queryset=history, to_attr="export_history"),
            Prefetch("attachments", queryset=attachments, to_attr="export_attachments"),
        )
        .order_by("created_at")
    )


def export_complaints(*, user: User) -> list[dict[str, Any]]:
    result = []
    for complaint in export_complaints_queryset(user=user):
        feedback = getattr(complaint, "feedback", None)
        result.append(
            {
                "id": str(complaint.id),
                "reference": complaint.reference,
                "title": complaint.title,
                "description": complaint.description,
                "category": complaint.category.name,
                "channel": complaint.channel,
                "priority": complaint.get_priority_display(),
                "status": complaint.status,
                "resolution": complaint.resolution,
                "rejection_reason": complaint.rejection_reason,
                "created_at": isoformat_or_none(complaint.created_at),
                "updated_at": isoformat_or_none(complaint.updated_at),
                "acknowledged_at": isoformat_or_none(complaint.acknowledged_at),
                "resolved_at": isoformat_or_none(complaint.resolved_at),
                "closed_at": isoformat_or_none(complaint.closed_at),
                "comments": [
                    {
                        "id": str(c.id),
                        "author": _who(user=user, actor_id=c.author_id),
                        "body": c.body,
                        "is_internal": c.is_internal,
                        "created_at": isoformat_or_none(c.created_at),
                    }
                    for c in complaint.export_comments  # type: ignore[attr-defined]  # set by Prefetch(to_attr=...), which the stubs cannot see
                ],
                "history": [
                    {
                        "kind": h.kind,
                        "from_value": h.from_value,
                        "to_value": h.to_value,
                        "actor": _who(user=user, actor_id=h.actor_id),
                        "created_at": isoformat_or_none(h.created_at),
                    }
                    for h in complaint.export_history  # type: ignore[attr-defined]  # set by Prefetch(to_attr=...), which the stubs cannot see
                ],
                "attachments": [
                    _attachment(a)
                    for a in complaint.export_attachments  # type: ignore[attr-defined]  # set by Prefetch(to_attr=...), which the stubs cannot see
                ],
                "feedback": _feedback(feedback) if feedback is not None else None,
            }
        )
    return result


def export_own_comments(*, user: User) -> list[dict[str, Any]]:
    """Every comment the caller wrote, on any complaint."""
    comments = (
        Comment.objects.filter(author=user)
        .select_related("complaint")
        .only("id", "body", "is_internal", "created_at", "complaint__id", "complaint__reference")
        .order_by("created_at")
    )
    return [
        {
            "id": str(c.id),
            "complaint_id": str(c.complaint_id),
            "complaint_reference": c.complaint.reference,
            "body": c.body,
            "is_internal": c.is_internal,
            "created_at": isoformat_or_none(c.created_at),
        }
        for c in comments
    ]


def export_feedback(*, user: User) -> list[dict[str, Any]]:
    """Feedback is given by the complaint's customer, so it is the caller's on their complaints."""
    return [
        _feedback(f)
        for f in Feedback.objects.filter(complaint__customer=user).order_by("created_at")
    ]


def export_uploaded_attachments(*, user: User) -> list[dict[str, Any]]:
    """Metadata of every file the caller uploaded (the files themselves are not inlined)."""
    return [
        _attachment(a) for a in Attachment.objects.filter(uploaded_by=user).order_by("created_at")
    ]


def complaint_data_export(*, user: User) -> dict[str, list[dict[str, Any]]]:
    """The complaint sections of the user's export document (``EXPORT_SECTIONS``)."""
    return {
        "complaints": export_complaints(user=user),
        "comments": export_own_comments(user=user),
        "feedback": export_feedback(user=user),
        "attachments": export_uploaded_attachments(user=user),
    }


def complaint_data_erase(*, user: User) -> None:
    """Erase what ``user`` wrote on complaints (see ``TEXT_COLUMNS``).

    Runs inside ``accounts.erasure.user_erase``'s transaction; the uploaded files are deleted
    only once it commits, so a rollback leaves them in place.
    """
    Complaint.objects.filter(customer=user).update(title=ERASED_TEXT, description=ERASED_TEXT)
    Comment.objects.filter(author=user).update(body=ERASED_TEXT)
    written_on = set(Complaint.objects.filter(customer=user).values_list("pk", flat=True))
    written_on.update(Comment.objects.filter(author=user).values_list("complaint_id", flat=True))
    search_reindex(complaint_ids=written_on, nameless_customers={user.pk})
    Feedback.objects.filter(complaint__customer=user).exclude(comment="").update(
        comment=ERASED_TEXT
    )

    uploads = list(Attachment.objects.filter(uploaded_by=user))
    files = [(a.file.storage, a.file.name) for a in uploads if a.file.name]
    Attachment.objects.filter(pk__in=[a.pk for a in uploads]).delete()
    # The timeline names each upload by the file name the user gave it.
    HistoryEntry.objects.filter(actor=user, kind=HistoryKind.ATTACHMENT_ADDED).update(
        to_value=ERASED_TEXT
    )
    IdempotencyKey.objects.filter(user=user).delete()

    def _delete_files() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not delete an erased user's file", extra={"file": name})

    transaction.on_commit(_delete_files)


PERSONAL_DATA_PROVIDER = PersonalDataProvider(
    name="complaints",
    sections=EXPORT_SECTIONS,
    export=complaint_data_export,
    erase=complaint_data_erase,
    renamed=search_customer_renamed,
)
