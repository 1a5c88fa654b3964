"""Builds a complaint with everything the export and erasure touch."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Attachment, Comment, Complaint, Feedback, HistoryEntry, HistoryKind
from tests.helpers.factories import ComplaintFactory


@dataclass
class ComplaintData:
    complaint: Complaint
    own_comment: Comment
    staff_comment: Comment
    internal_note: Comment
    public_history: HistoryEntry
    internal_history: HistoryEntry
    attachment: Attachment
    internal_attachment: Attachment
    feedback: Feedback


def complaint_with_everything(*, customer, agent, category, tag: str) -> ComplaintData:
    complaint = ComplaintFactory.create(
        customer=customer,
        category=category,
        title=f"{tag} title",
        description=f"{tag} description with personal details",
        status="closed",
    )
    own = Comment.objects.create(complaint=complaint, author=customer, body=f"{tag} my comment")
    staff = Comment.objects.create(complaint=complaint, author=agent, body=f"{tag} staff reply")
    note = Comment.objects.create(
        complaint=complaint, author=agent, body=f"{tag} internal note", is_internal=True
    )
    public_history = HistoryEntry.objects.create(
        complaint=complaint, actor=customer, kind=HistoryKind.CREATED, to_value="new"
    )
    internal_history = HistoryEntry.objects.create(
        complaint=complaint, actor=agent, kind=HistoryKind.COMMENT_ADDED, is_internal=True
    )
    attachment = Attachment.objects.create(
        complaint=complaint,
        uploaded_by=customer,
        file=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt"),
        original_name=f"{tag}-receipt.pdf",
        content_type="application/pdf",
        size=16,
        sha256="a" * 64,
    )
    internal_attachment = Attachment.objects.create(
        complaint=complaint,
        comment=note,
        uploaded_by=agent,
        file=SimpleUploadedFile("note.txt", b"internal"),
        original_name=f"{tag}-internal.txt",
        content_type="text/plain",
        size=8,
        sha256="b" * 64,
    )
    feedback = Feedback.objects.create(complaint=complaint, rating=4, comment=f"{tag} feedback")
    return ComplaintData(
        complaint,
        own,
        staff,
        note,
        public_history,
        internal_history,
        attachment,
        internal_attachment,
        feedback,
    )
