"""Complaint reads. Everything a user looks up goes through ``complaints.visibility``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable, RawSQL

from accounts.models import User
from accounts.roles import HANDLER_ROLES, Role
from complaints.errors import NotFound
from complaints.filters import DEFAULT_ORDERING, ComplaintFilter
from complaints.models import Category, Comment, Complaint, HistoryEntry, HistoryKind
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
# category and the feedback joined in, the two names (``_with_names``). The only encrypted ones are
# the rejection reason, the customer's and assignee's names and the feedback comment, decrypted
# for the page's rows only (see ComplaintListing). ``is_overdue`` is computed from the row in
# Python (``policies.is_overdue``, the SQL rule's twin), which keeps the statement's text free
# of parameters.
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
    "customer_name",
    "customer_role",
    "assignee_id",
    "assignee_name",
    "assignee_role",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "sla_paused_at",
    "feedback__rating",
    "feedback__comment",
    "feedback__created_at",
)
# The detail adds the two long texts.
DETAIL_VALUES = (*LIST_VALUES, "description", "resolution")
# The page statement's column holding the capped count (see ``ComplaintListing.page``).
CAPPED_COUNT = "capped_count"
# Where the statements' SQL takes the ids it reads and the capped count (see ``_rows_sql``).
KEYS_MARK = "/* keys */ SELECT NULL::uuid"
COUNT_MARK = "/* capped count */ SELECT NULL::integer"


class ComplaintListing:
    """The complaint list: a filtered, ordered query, read one page at a time.

    ``keys`` is the filtered, ordered query on plain complaint columns (no join, no encrypted
    column), so counting and LIMIT/OFFSET are index scans that never decrypt anything. A page
    is one statement ``WHERE id IN (<keys LIMIT n OFFSET m>)`` that joins category and
    feedback, reads the two names, and decrypts only for those rows (pgcrypto costs
    ~0.15-0.5 ms per value, and PostgreSQL computes select-list expressions for every row a
    Sort or OFFSET consumes, so they must stay out of the ordered query).
    """

    def __init__(self, keys: QuerySet[Complaint]):
        self.keys = keys

    def page_sql(
        self, *, offset: int, limit: int, count_cap: int | None = None
    ) -> tuple[str, tuple[Any, ...]]:
        """The page statement (see ``page``): SQL and parameters."""
        page = self.keys.values("pk")[offset : offset + limit]
        keys_sql, keys_params = page.query.sql_with_params()
        sql = _rows_sql(tuple(self.keys.query.order_by), LIST_VALUES, counted=count_cap is not None)
        sql = sql.replace(KEYS_MARK, keys_sql)
        if count_cap is None:
            return sql, keys_params
        # COUNT over a LIMITed subquery: the most it reads is count_cap + 1 index entries.
        limited = self.keys.order_by().values("pk")[: count_cap + 1]
        count_sql, count_params = limited.query.sql_with_params()
        count_sql = f"SELECT COUNT(*) FROM ({count_sql}) AS capped"  # noqa: S608 - Django's SQL
        # The count sits in the select list, before the WHERE: its parameters come first.
        return sql.replace(COUNT_MARK, count_sql), (*count_params, *keys_params)

    def page(
        self, *, offset: int, limit: int, count_cap: int | None = None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` rows (``LIST_VALUES``) from ``offset``, and the capped count.

        With ``count_cap`` the same statement counts the matching complaints up to
        ``count_cap + 1`` (an uncorrelated scalar subquery over ``keys LIMIT count_cap + 1``,
        which PostgreSQL runs once): the number when it is at most ``count_cap``, else
        ``count_cap + 1``. The count is None without ``count_cap`` or when the page is empty.
        """
        try:
            sql, params = self.page_sql(offset=offset, limit=limit, count_cap=count_cap)
        except EmptyResultSet:  # the filters can match nothing (e.g. q of unsearchable words)
            return [], None
        rows = _fetch_dicts(sql, params)
        count = rows[0][CAPPED_COUNT] if rows and count_cap is not None else None
        return rows, count


def _fetch_dicts(sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@lru_cache(maxsize=128)
def _rows_sql_cached(
    order_by: tuple[str | Combinable, ...], values: tuple[str, ...], counted: bool, rotating: bool
) -> str:
    # The marks are constants; the caller replaces them (see ``_rows_sql``).
    qs = _with_names(Complaint.objects.filter(pk__in=RawSQL(KEYS_MARK, ())))  # noqa: S611
    if counted:
        count = RawSQL(COUNT_MARK, (), IntegerField())  # noqa: S611 - a constant mark
        qs = qs.annotate(**{CAPPED_COUNT: count})
        values = (*values, CAPPED_COUNT)
    sql, params = qs.order_by(*order_by).values(*values).query.sql_with_params()
    if params:  # the text is reused for every request: it may hold no values
        raise ImproperlyConfigured(f"The complaint rows' SQL takes parameters: {params!r}")
    return sql


def _rows_sql(
    order_by: tuple[str | Combinable, ...], values: tuple[str, ...], *, counted: bool
) -> str:
    """The SQL reading ``values`` of the complaints whose ids ``KEYS_MARK`` stands for.

    The text depends only on the ordering, the columns, whether it counts (``COUNT_MARK``) and
    whether pgcrypto reads with a previous key too (``PGCRYPTO_KEY_PREVIOUS``), so it is
    compiled once per combination: building and compiling the joins, subqueries and decrypted
    columns with the ORM cost ~1.6 ms of CPU per page, more than the rest of the page's Python.
    The caller puts the ids' SQL in place of ``KEYS_MARK`` (and the count's in place of
    ``COUNT_MARK``); neither holds user text, only Django-compiled SQL with bound parameters.
    """
    rotating = bool(settings.PGCRYPTO_KEY_PREVIOUS)
    return _rows_sql_cached(order_by, values, counted, rotating)


def _person(column: str, field: str) -> Subquery:
    return Subquery(User.objects.filter(pk=OuterRef(column)).order_by().values(field)[:1])


def _with_names(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """``qs`` with the customer's and assignee's name (decrypted) and role, a subquery each.

    Scalar subqueries rather than joins: with two fewer tables in the join, PostgreSQL plans
    the page statement in ~0.5 ms instead of ~1.1 ms (measured at 100k complaints), and runs it
    as fast (each is one primary-key probe per row of the page).
    """
    return qs.annotate(
        customer_name=_person("customer_id", "full_name"),
        customer_role=_person("customer_id", "role"),
        assignee_name=_person("assignee_id", "full_name"),
        assignee_role=_person("assignee_id", "role"),
    )


def complaint_list(*, user: User, filters: Mapping[str, Any] | None = None) -> ComplaintListing:
    """Complaints ``user`` may see, filtered/ordered by ``filters`` (query parameters).

    Invalid filter values raise a DRF ``ValidationError`` naming the parameter (HTTP 400).
    Read it a page at a time; see ``ComplaintListing``.
    """
    keys = complaints_visible_to(user=user).order_by(*DEFAULT_ORDERING)
    if filters is not None and ComplaintFilter.applies_to(filters):
        keys = ComplaintFilter(data=filters, queryset=keys, user=user).filtered_qs()
    return ComplaintListing(keys)


def complaint_values_get(*, user: User, complaint_id: UUID | str) -> dict[str, Any]:
    """One complaint ``user`` may see as ``DETAIL_VALUES`` (one query; what the API renders).

    Services take ``complaint_get``'s model instead.
    """
    try:
        keys = complaints_visible_to(user=user).filter(pk=complaint_id)
        return _complaint_values(keys)
    except (ValueError, TypeError, DjangoValidationError) as exc:
        # A malformed UUID is just another complaint that does not exist.
        raise NotFound("No complaint matches the given query.") from exc


def complaint_values_get_by_reference(*, user: User, reference: str) -> dict[str, Any]:
    """``complaint_values_get`` by the complaint's reference (any case)."""
    if "\x00" in reference:  # PostgreSQL text cannot hold NUL: no complaint has it
        raise NotFound("No complaint matches the given query.")
    keys = complaints_visible_to(user=user).filter(reference=reference.strip().upper())
    return _complaint_values(keys)


def _complaint_values(keys: QuerySet[Complaint]) -> dict[str, Any]:
    """The ``DETAIL_VALUES`` of the one complaint ``keys`` finds (``_rows_sql``, no count)."""
    try:
        keys_sql, params = keys.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet as exc:  # a lookup that can match nothing
        raise NotFound("No complaint matches the given query.") from exc
    sql = _rows_sql((), DETAIL_VALUES, counted=False).replace(KEYS_MARK, keys_sql)
    rows = _fetch_dicts(sql, params)
    if not rows:
        raise NotFound("No complaint matches the given query.")
    return rows[0]


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
