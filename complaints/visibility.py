"""Who may see which complaint. Customers see only their own; handlers see all.

Everything that looks a complaint up for a user, or checks one it already holds, goes through
here, so another customer's complaint is a 404 on every verb and sub-resource. Internal notes
(and the attachments and history entries about them) are for handlers only.
"""

from uuid import UUID

from django.db.models import QuerySet

from accounts.models import User
from complaints.errors import NotFound
from complaints.models import Complaint, ComplaintState

NOT_FOUND = "No complaint matches the given query."


def complaints_visible_to(*, user: User) -> QuerySet[Complaint]:
    qs = Complaint.objects.all()
    if not user.is_handler:
        qs = qs.filter(customer=user)
    return qs


def complaint_is_visible(*, user: User | None, complaint: ComplaintState) -> bool:
    """The Python twin of ``complaints_visible_to`` for a loaded complaint (None: the system)."""
    return user is None or user.is_handler or complaint.customer_id == user.pk


def ensure_complaint_visible(*, user: User | None, complaint: Complaint) -> None:
    """Raise the 404 a customer gets for another customer's complaint."""
    if not complaint_is_visible(user=user, complaint=complaint):
        raise NotFound(NOT_FOUND)


def sees_internal_notes(user: User) -> bool:
    return user.is_handler


def complaint_get_visible(
    *, user: User, complaint_id: UUID | str, for_update: bool = False
) -> Complaint:
    qs = complaints_visible_to(user=user).select_related("category", "customer", "assignee")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError) as exc:
        raise NotFound(NOT_FOUND) from exc
