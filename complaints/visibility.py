"""Who may see which complaint. Customers see only their own; handlers see all.

Everything that looks a complaint up for a user goes through here, so another customer's
complaint is a 404 on every verb and sub-resource.
"""

from uuid import UUID

from django.db.models import QuerySet

from accounts.models import User
from complaints.errors import NotFound
from complaints.models import Complaint


def complaints_visible_to(*, user: User) -> QuerySet[Complaint]:
    qs = Complaint.objects.all()
    if not user.is_handler:
        qs = qs.filter(customer=user)
    return qs


def complaint_get_visible(
    *, user: User, complaint_id: UUID | str, for_update: bool = False
) -> Complaint:
    qs = complaints_visible_to(user=user).select_related("category", "customer", "assignee")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError) as exc:
        raise NotFound("No complaint matches the given query.") from exc
