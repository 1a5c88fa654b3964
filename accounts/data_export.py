"""Right of access (GDPR art. 15): everything we hold about the caller, as JSON-ready dicts.

Selectors only (reads). What a customer gets is what they can see through the API:
their complaints with public comments, non-internal history and visible attachment
metadata, plus what they wrote themselves. Other people appear only by role ("you",
"staff", "system"), never by name, email or id.
"""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from complaints.models import Attachment, Comment, Complaint, Feedback, HistoryEntry


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


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
        "created_at": _iso(attachment.created_at),
    }


def _feedback(feedback: Feedback) -> dict[str, Any]:
    return {
        "complaint_id": str(feedback.complaint_id),
        "rating": feedback.rating,
        "comment": feedback.comment,
        "created_at": _iso(feedback.created_at),
    }


def export_profile(*, user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
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
                "created_at": _iso(complaint.created_at),
                "updated_at": _iso(complaint.updated_at),
                "acknowledged_at": _iso(complaint.acknowledged_at),
                "resolved_at": _iso(complaint.resolved_at),
                "closed_at": _iso(complaint.closed_at),
                "comments": [
                    {
                        "id": str(c.id),
                        "author": _who(user=user, actor_id=c.author_id),
                        "body": c.body,
                        "is_internal": c.is_internal,
                        "created_at": _iso(c.created_at),
                    }
                    for c in complaint.export_comments
                ],
                "history": [
                    {
                        "kind": h.kind,
                        "from_value": h.from_value,
                        "to_value": h.to_value,
                        "actor": _who(user=user, actor_id=h.actor_id),
                        "created_at": _iso(h.created_at),
                    }
                    for h in complaint.export_history
                ],
                "attachments": [_attachment(a) for a in complaint.export_attachments],
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
            "created_at": _iso(c.created_at),
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


def user_data_export(*, user: User) -> dict[str, Any]:
    return {
        "exported_at": _iso(timezone.now()),
        "profile": export_profile(user=user),
        "complaints": export_complaints(user=user),
        "comments": export_own_comments(user=user),
        "feedback": export_feedback(user=user),
        "attachments": export_uploaded_attachments(user=user),
    }
