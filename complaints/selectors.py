"""Complaint reads. Everything a user looks up goes through ``complaints.visibility``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import JSONObject

from accounts.models import User
from accounts.roles import HANDLER_ROLES, Role
from complaints.errors import NotFound
from complaints.filters import DEFAULT_ORDERING, ComplaintFilter
from complaints.models import Category, Comment, Complaint, HistoryEntry, HistoryKind
from complaints.policies import annotate_overdue
from complaints.visibility import (
    complaints_visible_to,
    conversation_q,
    ensure_complaint_visible,
    merged_complaints_visible_to,
    sees_internal_notes,
)
from complaints.workflow import OPEN_STATUSES


def _merge_links(user: User) -> dict[str, Any]:
    """A complaint's merge links, read in its own query: what it was merged into (its reference
    and customer, to show it only to who may see it) and the complaints merged into it that
    ``user`` may see, as JSON objects (no row of theirs is decrypted)."""
    merged = merged_complaints_visible_to(user=user, into=OuterRef("pk")).order_by(
        "merged_at", "id"
    )
    return {
        "merged_into_reference": F("merged_into__reference"),
        "merged_into_customer_id": F("merged_into__customer_id"),
        "merged_complaint_rows": ArraySubquery(
            merged.values(
                row=JSONObject(id="id", reference="reference", title="title", merged_at="merged_at")
            )
        ),
    }


def _complaints_for(user: User) -> QuerySet[Complaint]:
    return annotate_overdue(
        complaints_visible_to(user=user)
        .select_related("category", "customer", "assignee", "feedback")
        .annotate(**_merge_links(user))
    )


# What ComplaintListOutSerializer shows. The only encrypted columns among them are the
# rejection reason, the customer's and assignee's names and the feedback comment; the list
# decrypts them for the page's rows only (see ComplaintListing).
LIST_ROW_FIELDS = (
    "id",
    "reference",
    "title",
    "rejection_reason",
    "status",
    "priority",
    "channel",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "sla_paused_at",
    "review_requested_at",
    "review_concluded_at",
    "category__id",
    "category__name",
    "category__slug",
    "customer__id",
    "customer__full_name",
    "customer__role",
    "assignee__id",
    "assignee__full_name",
    "assignee__role",
    "feedback__rating",
    "feedback__comment",
    "feedback__created_at",
)


class ComplaintListing:
    """The complaint list as a paginator sees it: ``count()`` and slices.

    ``keys`` is the filtered, ordered query on plain complaint columns (no join, no encrypted
    column), so counting and LIMIT/OFFSET are index scans that never decrypt anything. A slice
    is the page's rows, loaded by one query ``WHERE id IN (<keys LIMIT n OFFSET m>)`` that joins
    category/customer/assignee/feedback and decrypts only for those rows (pgcrypto costs
    ~0.15-0.5 ms per value, and PostgreSQL computes select-list expressions for every row a
    Sort or OFFSET consumes, so they must stay out of the ordered query).
    """

    ordered = True  # for Django's Paginator: keys always has an explicit ordering

    def __init__(self, keys: QuerySet[Complaint]):
        self.keys = keys

    def count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self.rows(self.keys))

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return self.rows(self.keys[index])
        rows = list(self.rows(self.keys[index : index + 1]))
        if not rows:
            raise IndexError("complaint listing index out of range")
        return rows[0]

    @staticmethod
    def rows(keys: QuerySet[Complaint]) -> QuerySet[Complaint]:
        """The list rows of ``keys`` (typically one page of it), in its order."""
        return annotate_overdue(
            Complaint.objects.filter(pk__in=keys.values("pk"))
            .select_related("category", "customer", "assignee", "feedback")
            .only(*LIST_ROW_FIELDS)
            .order_by(*keys.query.order_by)
        )


def complaint_list(*, user: User, filters: Mapping[str, Any] | None = None) -> ComplaintListing:
    """Complaints ``user`` may see, filtered/ordered by ``filters`` (query parameters).

    Invalid filter values raise a DRF ``ValidationError`` naming the parameter (HTTP 400).
    Paginate the result (or slice it); see ``ComplaintListing``.
    """
    keys = complaints_visible_to(user=user).order_by(*DEFAULT_ORDERING)
    if filters is not None:
        keys = ComplaintFilter(data=filters, queryset=keys, user=user).filtered_qs()
    return ComplaintListing(keys)


def complaint_get(*, user: User, complaint_id: UUID | str) -> Complaint:
    try:
        return _complaints_for(user).get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        # A malformed UUID is just another complaint that does not exist.
        raise NotFound("No complaint matches the given query.") from exc


def complaint_get_by_reference(*, user: User, reference: str) -> Complaint:
    if "\x00" in reference:  # PostgreSQL text cannot hold NUL: no complaint has it
        raise NotFound("No complaint matches the given query.")
    try:
        return _complaints_for(user).get(reference=reference.strip().upper())
    except Complaint.DoesNotExist as exc:
        raise NotFound("No complaint matches the given query.") from exc


def complaint_id_for_reference(reference: str) -> UUID | None:
    """The id of the complaint with this reference (any customer's: for staff tools)."""
    if "\x00" in reference:
        return None
    return (
        Complaint.objects.filter(reference=reference.strip().upper())
        .values_list("pk", flat=True)
        .first()
    )


def comment_list(*, user: User, complaint: Complaint) -> QuerySet[Comment]:
    """Comments on a complaint the caller can see, with those of the complaints merged into it
    (``visibility.conversation_q``); customers never see internal notes."""
    ensure_complaint_visible(user=user, complaint=complaint)
    qs = Comment.objects.filter(conversation_q(user=user, complaint=complaint)).select_related(
        "author"
    )
    if not sees_internal_notes(user):
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def history_list(*, user: User, complaint: Complaint) -> QuerySet[HistoryEntry]:
    """History of a complaint; customers never see entries about internal notes."""
    ensure_complaint_visible(user=user, complaint=complaint)
    qs = HistoryEntry.objects.filter(complaint=complaint).select_related("actor")
    if not sees_internal_notes(user):
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def history_people(*, complaint: Complaint) -> dict[str, str]:
    """Names of the people the complaint's assignment history mentions, by user id (two
    queries whatever the history's length)."""
    ids: set[str] = set()
    for values in HistoryEntry.objects.filter(
        complaint=complaint, kind=HistoryKind.ASSIGNEE_CHANGED
    ).values_list("from_value", "to_value"):
        ids.update(v for v in values if v)
    people = User.objects.filter(pk__in=ids).only("id", "full_name", "role")
    return {str(u.pk): u.display_name for u in people}


def category_list(*, user: User | None = None) -> QuerySet[Category]:
    """All categories for staff; only active ones for customers (and anonymous callers)."""
    qs = Category.objects.all().order_by("name")
    if user is None or not user.is_handler:
        qs = qs.filter(is_active=True)
    return qs


def category_get(*, user: User | None, category_id: int | str) -> Category:
    try:
        return category_list(user=user).get(pk=category_id)
    except (Category.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("No category matches the given query.") from exc


# Order of the roles in the staff list: the people who usually take the work come first.
HANDLER_ROLE_ORDER = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _OpenAssigned(TypedDict):
        open_assigned: int

    UserWithWorkload = WithAnnotations[User, _OpenAssigned]


def handler_workload_list() -> QuerySet[UserWithWorkload]:
    """Active staff (agents, supervisors, admins), each annotated with ``open_assigned``.

    ``open_assigned`` is the number of open complaints (``complaints.workflow.OPEN_STATUSES``)
    assigned to the person, counted in the same query (LEFT JOIN + GROUP BY), so listing any
    number of handlers costs one query (plus the paginator's COUNT).

    Ordered by role (agents, supervisors, admins), then ``date_joined``, then ``id``: stable for
    pagination. Not by ``full_name``: it is pgcrypto-encrypted, so the database can only order
    the ciphertext (and no index could help). Clients sort by name themselves.
    """
    role_rank = Case(
        *(When(role=role, then=Value(rank)) for rank, role in enumerate(HANDLER_ROLE_ORDER)),
        output_field=IntegerField(),
    )
    return (
        User.objects.filter(role__in=HANDLER_ROLES, is_active=True)
        .annotate(
            open_assigned=Count(
                "assigned_complaints",
                filter=Q(assigned_complaints__status__in=OPEN_STATUSES),
            ),
            role_rank=role_rank,
        )
        .order_by("role_rank", "date_joined", "pk")
    )
