"""Who may see which complaint. Customers see only their own; handlers see all.

Everything that looks a complaint up for a user, or checks one it already holds, goes through
here, so another customer's complaint is a 404 on every verb and sub-resource. Internal notes
(and the attachments and history entries about them) are for handlers only.
"""

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

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
    return customers_complaint_is_visible(user=user, customer_id=complaint.customer_id)


def customers_complaint_is_visible(*, user: User | None, customer_id: UUID | None) -> bool:
    """Whether ``user`` may see a complaint of the customer ``customer_id``."""
    return user is None or user.is_handler or customer_id == user.pk


def conversation_q(*, user: User, complaint: Complaint, prefix: str = "complaint") -> Q:
    """Rows (comments, attachments: ``prefix`` is their complaint FK) of ``complaint``'s
    conversation: its own, and those of the complaints merged into it that ``user`` may see
    (a customer, their own merged complaints only; a merge across customers shows them to
    staff alone)."""
    merged = Q(**{f"{prefix}__merged_into": complaint})
    if not user.is_handler:
        merged &= Q(**{f"{prefix}__customer": user})
    return Q(**{prefix: complaint}) | merged


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


def merged_complaints_visible(*, handler: bool, viewer: Any, into: Any) -> QuerySet[Complaint]:
    """The complaints merged into ``into`` (a complaint, or an ``OuterRef`` to one) that a
    viewer may see: staff (``handler``) all, a customer their own. ``viewer`` is the viewer's
    id, or an expression standing for it in SQL compiled once for many viewers."""
    qs = Complaint.objects.filter(merged_into=into)
    if not handler:
        qs = qs.filter(customer_id=viewer)
    return qs
