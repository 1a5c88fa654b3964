"""Complaint reads. Everything a user looks up goes through ``complaints.visibility``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from accounts.models import User
from accounts.roles import HANDLER_ROLES, Role
from complaints.errors import NotFound
from complaints.filters import DEFAULT_ORDERING, ComplaintFilter
from complaints.models import Category, Comment, Complaint, HistoryEntry
from complaints.policies import annotate_overdue
from complaints.visibility import (
    complaints_visible_to,
    ensure_complaint_visible,
    sees_internal_notes,
)
from complaints.workflow import OPEN_STATUSES


def _complaints_for(user: User) -> QuerySet[Complaint]:
    return annotate_overdue(
        complaints_visible_to(user=user).select_related(
            "category", "customer", "assignee", "feedback"
        )
    )


# What a list row shows (``complaints.api.output``), as ``values()`` paths: plain columns, the
# category, the two names and the feedback joined in. The only encrypted ones are the rejection
# reason, the customer's and assignee's names and the feedback comment, decrypted for the page's
# rows only (see ComplaintListing).
LIST_VALUES = (
    "id",
    "reference",
    "title",
    "rejection_reason",
    "status",
    "priority",
    "channel",
    "category_id",
    "category__name",
    "category__slug",
    "customer_id",
    "customer__full_name",
    "assignee_id",
    "assignee__full_name",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "sla_paused_at",
    "is_overdue",
    "feedback__rating",
    "feedback__comment",
    "feedback__created_at",
)
# The detail adds the two long texts.
DETAIL_VALUES = (*LIST_VALUES, "description", "resolution")
# The page query's column holding the capped count (see ``ComplaintListing.page``).
CAPPED_COUNT = "capped_count"


class ComplaintListing:
    """The complaint list: a filtered, ordered query, read one page at a time.

    ``keys`` is the filtered, ordered query on plain complaint columns (no join, no encrypted
    column), so counting and LIMIT/OFFSET are index scans that never decrypt anything. A page
    is one statement ``WHERE id IN (<keys LIMIT n OFFSET m>)`` that joins
    category/customer/assignee/feedback and decrypts only for those rows (pgcrypto costs
    ~0.15-0.5 ms per value, and PostgreSQL computes select-list expressions for every row a
    Sort or OFFSET consumes, so they must stay out of the ordered query).
    """

    def __init__(self, keys: QuerySet[Complaint]):
        self.keys = keys

    def page(
        self, *, offset: int, limit: int, count_cap: int | None = None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` rows (``LIST_VALUES``) from ``offset``, and the capped count.

        With ``count_cap`` the same statement counts the matching complaints up to
        ``count_cap + 1`` (an uncorrelated scalar subquery over ``keys LIMIT count_cap + 1``,
        which PostgreSQL runs once): the number when it is at most ``count_cap``, else
        ``count_cap + 1``. The count is None without ``count_cap`` or when the page is empty.
        """
        rows = self.rows(self.keys[offset : offset + limit])
        if count_cap is None:
            return list(rows.values(*LIST_VALUES)), None
        # The ORM has no COUNT over a LIMITed subquery in FROM; the inner SQL is Django's own,
        # compiled from ``keys``, and its parameters stay bound separately.
        limited = self.keys.order_by().values("pk")[: count_cap + 1]
        sql, params = limited.query.sql_with_params()
        capped = RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params, IntegerField())  # noqa: S608, S611 - see above
        values = list(rows.annotate(**{CAPPED_COUNT: capped}).values(*LIST_VALUES, CAPPED_COUNT))
        return values, values[0][CAPPED_COUNT] if values else None

    @staticmethod
    def rows(keys: QuerySet[Complaint]) -> QuerySet[Complaint]:
        """The list rows of ``keys`` (typically one page of it), in its order."""
        return annotate_overdue(
            Complaint.objects.filter(pk__in=keys.values("pk")).order_by(*keys.query.order_by)
        )


def complaint_list(*, user: User, filters: Mapping[str, Any] | None = None) -> ComplaintListing:
    """Complaints ``user`` may see, filtered/ordered by ``filters`` (query parameters).

    Invalid filter values raise a DRF ``ValidationError`` naming the parameter (HTTP 400).
    Read it a page at a time; see ``ComplaintListing``.
    """
    keys = complaints_visible_to(user=user).order_by(*DEFAULT_ORDERING)
    if filters is not None:
        keys = ComplaintFilter(data=filters, queryset=keys, user=user).filtered_qs()
    return ComplaintListing(keys)


def complaint_values_get(*, user: User, complaint_id: UUID | str) -> dict[str, Any]:
    """One complaint ``user`` may see as ``DETAIL_VALUES`` (one query; what the API renders).

    Services take ``complaint_get``'s model instead.
    """
    try:
        row = _complaint_values(user).filter(pk=complaint_id).first()
    except (ValueError, TypeError, DjangoValidationError):
        row = None  # a malformed UUID is just another complaint that does not exist
    if row is None:
        raise NotFound("No complaint matches the given query.")
    return row


def complaint_values_get_by_reference(*, user: User, reference: str) -> dict[str, Any]:
    """``complaint_values_get`` by the complaint's reference (any case)."""
    row = None
    if "\x00" not in reference:  # PostgreSQL text cannot hold NUL: no complaint has it
        row = _complaint_values(user).filter(reference=reference.strip().upper()).first()
    if row is None:
        raise NotFound("No complaint matches the given query.")
    return row


def _complaint_values(user: User) -> QuerySet[Complaint, dict[str, Any]]:
    return annotate_overdue(complaints_visible_to(user=user)).values(*DETAIL_VALUES)


def complaint_get(*, user: User, complaint_id: UUID | str) -> Complaint:
    try:
        return _complaints_for(user).get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        # A malformed UUID is just another complaint that does not exist.
        raise NotFound("No complaint matches the given query.") from exc


def comment_list(*, user: User, complaint: Complaint) -> QuerySet[Comment]:
    """Comments on a complaint the caller can see; customers never see internal notes."""
    ensure_complaint_visible(user=user, complaint=complaint)
    qs = Comment.objects.filter(complaint=complaint).select_related("author")
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
