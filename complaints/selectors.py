"""Complaint reads. Everything a user looks up goes through ``complaints.visibility``."""

from __future__ import annotations

import json
import re
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
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    UUIDField,
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
from complaints.read_activity import annotate_unread, last_seen_at
from complaints.search import SEARCH_COUNT_CAP, searches_words
from complaints.visibility import (
    complaints_visible_to,
    conversation_q,
    ensure_complaint_visible,
    merged_complaints_visible,
    sees_internal_notes,
)
from complaints.workflow import OPEN_STATUSES
from complaints_project.postgresql.prepared import execute_prepared

NOT_FOUND = "No complaint matches the given query."


class JSONRows(Subquery):
    """The rows of a ``values()`` queryset, in its order, as one JSON array of objects keyed by
    column name (null when there is none). The keys are the columns' names, so the SQL text
    holds no values."""

    template = "(SELECT jsonb_agg(json_rows) FROM (%(subquery)s) AS json_rows)"
    output_field = JSONField()


def _merge_links(*, handler: bool, viewer: Any) -> dict[str, Any]:
    """A complaint's merge links, read in its own query: what it was merged into (its reference
    and customer, to show it only to who may see it) and the complaints merged into it that the
    viewer (see ``visibility.merged_complaints_visible``) may see (no row of theirs is
    decrypted)."""
    merged = merged_complaints_visible(handler=handler, viewer=viewer, into=OuterRef("pk"))
    return {
        "merged_into_reference": F("merged_into__reference"),
        "merged_into_customer_id": F("merged_into__customer_id"),
        "merged_complaint_rows": JSONRows(
            merged.order_by("merged_at", "id").values("id", "reference", "title", "merged_at")
        ),
    }


def _complaints_for(user: User) -> QuerySet[Complaint]:
    return complaints_visible_to(user=user).select_related(
        "category", "customer", "assignee", "feedback"
    )


# A list row's times, in the body's order (``complaints.api.output`` renders each the same way).
LIST_DATETIMES = (
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
    "last_customer_activity_at",
)
# What a list row shows (``complaints.api.output``), as ``values()`` paths: plain columns, the
# category and the feedback joined in, the two names (``_names``) and when the viewer last
# opened it (``viewer_seen_at``). The only encrypted ones are the rejection reason, the
# customer's and assignee's names and the feedback comment, decrypted for the page's rows only
# (see ComplaintListing). ``is_overdue`` and the unread marker are computed from the row in
# Python (``policies.is_overdue``, ``read_activity.unread``: the SQL rules' twins), which keeps
# the statement's text free of values.
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
    *LIST_DATETIMES,
    "viewer_seen_at",
    "feedback__rating",
    "feedback__comment",
    "feedback__created_at",
)
# The detail adds the long texts, the remedy, the review and the merge links (``_merge_links``).
# The review's two texts are decrypted only when a review was asked for (``_row_annotations``).
DETAIL_VALUES = (
    *LIST_VALUES,
    "description",
    "resolution",
    "remedy_sought",
    "remedy_outcome",
    "review_reason_text",
    "review_outcome",
    "review_note_text",
    "merged_into_id",
    "merged_at",
    "merged_into_reference",
    "merged_into_customer_id",
    "merged_complaint_rows",
)
# The page statement's column holding the capped count (see ``ComplaintListing.page``).
CAPPED_COUNT = "capped_count"
# Where the statements' SQL takes the ids it reads, the capped count and the viewer's id (see
# ``_rows_sql``): constants, each replaced by SQL compiled for the request (``_fill``).
KEYS_MARK = "/* keys */ SELECT NULL::uuid"
COUNT_MARK = "/* capped count */ SELECT NULL::integer"
VIEWER_MARK = "/* viewer */ NULL::uuid"
_MARKS = re.compile("|".join(re.escape(mark) for mark in (KEYS_MARK, COUNT_MARK, VIEWER_MARK)))


class ComplaintListing:
    """The complaint list: a filtered, ordered query, read one page at a time.

    ``keys`` is the filtered, ordered query on plain complaint columns (no join, no encrypted
    column), so counting and LIMIT/OFFSET are index scans that never decrypt anything. A page
    is one statement ``WHERE id IN (<keys LIMIT n OFFSET m>)`` that joins category and
    feedback, reads the two names and the viewer's last visit, and decrypts only for those rows
    (pgcrypto costs ~0.15-0.5 ms per value, and PostgreSQL computes select-list expressions for
    every row a Sort or OFFSET consumes, so they must stay out of the ordered query).
    """

    def __init__(
        self,
        keys: QuerySet[Complaint],
        *,
        viewer: User,
        count_cap: int | None = None,
        prepared: bool = True,
    ):
        self.keys = keys
        self.viewer = viewer
        # The most this list should count exactly (None: the paginator's cap).
        self.count_cap = count_cap
        # Whether its statements run prepared (``filters.VALUE_SENSITIVE_FILTERS``).
        self.prepared = prepared

    def page_sql(
        self, *, offset: int, limit: int, count_cap: int | None = None
    ) -> tuple[str, tuple[Any, ...]]:
        """The page statement (see ``page``): SQL and parameters."""
        page = self.keys.values("pk")[offset : offset + limit]
        fragments = {
            KEYS_MARK: page.query.sql_with_params(),
            VIEWER_MARK: ("%s", (self.viewer.pk,)),
        }
        if count_cap is not None:
            # COUNT over a LIMITed subquery: the most it reads is count_cap + 1 index entries.
            limited = self.keys.order_by().values("pk")[: count_cap + 1]
            count_sql, count_params = limited.query.sql_with_params()
            count_sql = f"SELECT COUNT(*) FROM ({count_sql}) AS capped"  # noqa: S608 - Django's SQL
            fragments[COUNT_MARK] = (count_sql, count_params)
        sql = _rows_sql(
            tuple(self.keys.query.order_by),
            LIST_VALUES,
            counted=count_cap is not None,
            handler=self.viewer.is_handler,
        )
        return _fill(sql, fragments)

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
        rows = _fetch_dicts(sql, params, prepared=self.prepared)
        count = rows[0][CAPPED_COUNT] if rows and count_cap is not None else None
        return rows, count


def _fill(
    sql: str, fragments: Mapping[str, tuple[str, tuple[Any, ...]]]
) -> tuple[str, tuple[Any, ...]]:
    """``sql`` with each mark replaced by its fragment's SQL, and the fragments' parameters in
    the order their marks appear in the text (a mark may appear more than once)."""
    params: list[Any] = []

    def put(match: re.Match[str]) -> str:
        fragment_sql, fragment_params = fragments[match.group(0)]
        params.extend(fragment_params)
        return fragment_sql

    return _MARKS.sub(put, sql), tuple(params)


def _fetch_dicts(
    sql: str, params: tuple[Any, ...], *, prepared: bool = False
) -> list[dict[str, Any]]:
    """The rows as dicts; ``prepared``: as a prepared statement (only for a statement whose plan
    does not depend on its values, see ``complaints_project.postgresql.prepared``)."""
    with connection.cursor() as cursor:
        if prepared:
            execute_prepared(cursor, sql, params)
        else:
            cursor.execute(sql, params)
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _viewer_mark() -> RawSQL:
    return RawSQL(VIEWER_MARK, (), UUIDField())  # noqa: S611 - a constant mark


def _row_annotations(*, handler: bool) -> dict[str, Any]:
    """Every computed column the statements can read, by name (``_rows_sql_cached`` annotates
    those the caller asks for). None holds a value: the viewer's id is ``VIEWER_MARK``."""
    viewer = _viewer_mark()
    return {
        **_names(),
        "viewer_seen_at": last_seen_at(viewer) if handler else Value(None, DateTimeField()),
        # The review's texts (null: not decrypted) exist only once a review was asked for.
        "review_reason_text": Case(
            When(review_requested_at__isnull=False, then=F("review_reason")),
            output_field=TextField(),
        ),
        "review_note_text": Case(
            When(review_concluded_at__isnull=False, then=F("review_note")),
            output_field=TextField(),
        ),
        **_merge_links(handler=handler, viewer=viewer),
        CAPPED_COUNT: RawSQL(COUNT_MARK, (), IntegerField()),  # noqa: S611 - a constant mark
    }


@lru_cache(maxsize=128)
def _rows_sql_cached(
    order_by: tuple[str | Combinable, ...],
    values: tuple[str, ...],
    counted: bool,
    handler: bool,
    rotating: bool,
) -> str:
    if counted:
        values = (*values, CAPPED_COUNT)
    computed = _row_annotations(handler=handler)
    qs = Complaint.objects.filter(pk__in=RawSQL(KEYS_MARK, ()))  # noqa: S611 - a constant mark
    qs = qs.annotate(**{name: computed[name] for name in values if name in computed})
    sql, params = qs.order_by(*order_by).values(*values).query.sql_with_params()
    if params:  # the text is reused for every request: it may hold no values
        raise ImproperlyConfigured(f"The complaint rows' SQL takes parameters: {params!r}")
    return sql


def _rows_sql(
    order_by: tuple[str | Combinable, ...], values: tuple[str, ...], *, counted: bool, handler: bool
) -> str:
    """The SQL reading ``values`` of the complaints whose ids ``KEYS_MARK`` stands for.

    The text depends only on the ordering, the columns, whether it counts (``COUNT_MARK``),
    whether the viewer is staff (who see every merged complaint and have an unread marker) and
    whether pgcrypto reads with a previous key too (``PGCRYPTO_KEY_PREVIOUS``), so it is
    compiled once per combination: building and compiling the joins, subqueries and decrypted
    columns with the ORM cost ~1.6 ms of CPU per page, more than the rest of the page's Python.
    The caller puts the ids' SQL in place of ``KEYS_MARK``, the count's in place of
    ``COUNT_MARK`` and a placeholder for the viewer's id in place of ``VIEWER_MARK``
    (``_fill``); none holds user text, only Django-compiled SQL with bound parameters.
    """
    rotating = bool(settings.PGCRYPTO_KEY_PREVIOUS)
    return _rows_sql_cached(order_by, values, counted, handler, rotating)


def _person(column: str, field: str) -> Subquery:
    return Subquery(User.objects.filter(pk=OuterRef(column)).order_by().values(field)[:1])


def _names() -> dict[str, Subquery]:
    """The customer's and assignee's name (decrypted) and role, a subquery each.

    Scalar subqueries rather than joins: with two fewer tables in the join, PostgreSQL plans
    the page statement in ~0.5 ms instead of ~1.1 ms (measured at 100k complaints), and runs it
    as fast (each is one primary-key probe per row of the page).
    """
    return {
        "customer_name": _person("customer_id", "full_name"),
        "customer_role": _person("customer_id", "role"),
        "assignee_name": _person("assignee_id", "full_name"),
        "assignee_role": _person("assignee_id", "role"),
    }


def complaint_list(*, user: User, filters: Mapping[str, Any] | None = None) -> ComplaintListing:
    """Complaints ``user`` may see, filtered/ordered by ``filters`` (query parameters).

    Invalid filter values raise a DRF ``ValidationError`` naming the parameter (HTTP 400).
    Read it a page at a time; see ``ComplaintListing``. A search by words (``q``) is counted
    exactly only up to ``search.SEARCH_COUNT_CAP``.
    """
    keys = complaints_visible_to(user=user).order_by(*DEFAULT_ORDERING)
    if filters is None or not ComplaintFilter.applies_to(filters):
        return ComplaintListing(keys, viewer=user)
    keys = ComplaintFilter(data=filters, queryset=keys, user=user).filtered_qs()
    by_words = searches_words(str(filters.get("q") or ""))
    return ComplaintListing(
        keys,
        viewer=user,
        count_cap=SEARCH_COUNT_CAP if by_words else None,
        prepared=not ComplaintFilter.plan_depends_on_values(filters),
    )


def complaint_values_get(*, user: User, complaint_id: UUID | str) -> dict[str, Any]:
    """One complaint ``user`` may see as ``DETAIL_VALUES`` (one query; what the API renders).

    Services take ``complaint_get``'s model instead.
    """
    try:
        keys = complaints_visible_to(user=user).filter(pk=complaint_id)
        return _complaint_values(keys, viewer=user)
    except (ValueError, TypeError, DjangoValidationError) as exc:
        # A malformed UUID is just another complaint that does not exist.
        raise NotFound(NOT_FOUND) from exc


def complaint_values_get_by_reference(*, user: User, reference: str) -> dict[str, Any]:
    """``complaint_values_get`` by the complaint's reference (any case)."""
    if "\x00" in reference:  # PostgreSQL text cannot hold NUL: no complaint has it
        raise NotFound(NOT_FOUND)
    keys = complaints_visible_to(user=user).filter(reference=reference.strip().upper())
    return _complaint_values(keys, viewer=user)


def _complaint_values(keys: QuerySet[Complaint], *, viewer: User) -> dict[str, Any]:
    """The ``DETAIL_VALUES`` of the one complaint ``keys`` finds (``_rows_sql``, no count)."""
    try:
        keys_fragment = keys.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet as exc:  # a lookup that can match nothing
        raise NotFound(NOT_FOUND) from exc
    sql = _rows_sql((), DETAIL_VALUES, counted=False, handler=viewer.is_handler)
    sql, params = _fill(sql, {KEYS_MARK: keys_fragment, VIEWER_MARK: ("%s", (viewer.pk,))})
    # One complaint by id or reference: the same plan whatever the values, so prepared.
    rows = _fetch_dicts(sql, params, prepared=True)
    if not rows:
        raise NotFound(NOT_FOUND)
    row = rows[0]
    # jsonb arrives as text (Django reads jsonb undecoded and decodes it in the field).
    merged = row["merged_complaint_rows"]
    row["merged_complaint_rows"] = json.loads(merged) if merged is not None else []
    return row


def complaint_get(*, user: User, complaint_id: UUID | str) -> Complaint:
    """One complaint ``user`` may see, for a use case to act on (the API renders
    ``complaint_values_get``)."""
    return _get(_complaints_for(user), complaint_id)


def complaint_get_for_serializers(*, user: User, complaint_id: UUID | str) -> Complaint:
    """``complaint_get`` with what ``ComplaintOutSerializer`` reads besides the columns:
    ``is_overdue``, the merge links and the viewer's unread marker, computed in SQL.

    The serializers declare the schema and are the reference the API's bodies are held equal
    to (``complaints.api.output``, ``tests/complaints/api/test_output.py``).
    """
    visible = _complaints_for(user).annotate(
        **_merge_links(handler=user.is_handler, viewer=user.pk)
    )
    return _get(annotate_unread(annotate_overdue(visible), viewer=user), complaint_id)


def _get(qs: QuerySet[Complaint], complaint_id: UUID | str) -> Complaint:
    try:
        return qs.get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        # A malformed UUID is just another complaint that does not exist.
        raise NotFound(NOT_FOUND) from exc


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
