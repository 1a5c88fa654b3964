"""The complaint list stays cheap: no decryption in the ordered query, index-served orderings.

The list query is two-staged (``selectors.ComplaintListing``): the filtered/ordered ids are
paged on plain columns, and only the page's rows are joined and decrypted; the capped count
rides in the same statement.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import services
from complaints.filters import ORDERING_FIELDS
from complaints.models import Complaint, Priority
from complaints.selectors import complaint_list
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.db import statement_texts

pytestmark = pytest.mark.django_db

DECRYPTED_COLUMN = re.compile(r'pgp_sym_decrypt\("?(\w+)"?\."(\w+)"')
# What the list shows: the rejection reason, customer/assignee names, the feedback comment.
LIST_DECRYPTS = {"rejection_reason", "full_name", "comment"}


def _list_queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/complaints/", params)
    assert response.status_code == 200, response.content
    texts = statement_texts(ctx.captured_queries)
    return response, [sql for sql in texts if "complaints_complaint" in sql]


@pytest.fixture
def populated(customer, agent):
    for i in range(6):
        complaint = make_complaint(
            customer=customer,
            status=Status.REJECTED if i % 3 == 0 else Status.RESOLVED,
            title=f"Parcel {i}",
        )
        services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
        if complaint.status == Status.RESOLVED:
            services.feedback_submit(complaint=complaint, customer=customer, rating=4)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "parcel"}, {"ordering": "-priority"}, {"page": "2", "page_size": "2"}],
)
def test_list_decrypts_only_the_shown_columns_and_only_for_the_page(
    agent_client, populated, params
):
    response, queries = _list_queries(agent_client, params)
    assert response.json()["results"]
    decrypting = [sql for sql in queries if "pgp_sym_decrypt" in sql]
    assert len(decrypting) == 1  # the page rows; authentication decrypts nothing
    (sql,) = decrypting
    assert {column for _, column in DECRYPTED_COLUMN.findall(sql)} == LIST_DECRYPTS
    for hidden in ('"description"', '"resolution"', '"email"', '"phone"'):
        assert hidden not in sql
    # The ordered, limited id query (the IN subquery) never decrypts.
    page_ids = sql[sql.index("IN (SELECT") :]
    assert "LIMIT" in page_ids
    assert "pgp_sym_decrypt" not in page_ids


@pytest.mark.parametrize("who", ["customer_client", "agent_client"])
def test_list_is_two_queries_whatever_the_page_size(request, customer, agent, who):
    client = request.getfixturevalue(who)
    counts = set()
    for n in (1, 12):
        while Complaint.objects.count() < n:
            c = make_complaint(customer=customer, status=Status.RESOLVED)
            services.complaint_assign(complaint=c, actor=None, assignee=agent)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/complaints/", {"page_size": 100, "q": "kettle"})
        assert len(response.json()["results"]) == n
        counts.add(len(ctx.captured_queries))
    assert counts == {2}  # auth user, page rows with the capped count


def test_list_rows_match_the_detail_view(agent_client, populated):
    rows = agent_client.get("/api/complaints/", {"page_size": 100}).json()["results"]
    assert len(rows) == 6
    for row in rows:
        detail = agent_client.get(f"/api/complaints/{row['id']}/").json()
        assert {k: detail[k] for k in row} == row
    assert any(row["rejection_reason"] for row in rows)
    assert any(row["feedback"] and row["feedback"]["rating"] == 4 for row in rows)
    assert all(row["customer"]["full_name"] and row["assignee"]["full_name"] for row in rows)


@pytest.mark.parametrize("ordering", [*ORDERING_FIELDS, *(f"-{f}" for f in ORDERING_FIELDS)])
def test_orderings_break_ties_by_created_then_id_and_page_stably(agent_client, customer, ordering):
    now = timezone.now()
    same = now - timedelta(hours=1)
    for i in range(7):
        complaint = make_complaint(customer=customer, priority=Priority.HIGH)
        # Equal keys everywhere, and pairs of equal created_at: only the id tells them apart.
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=same - timedelta(minutes=i // 2),
            updated_at=same,
            resolve_due_at=same,
            last_customer_activity_at=same,
        )
    full = agent_client.get("/api/complaints/", {"ordering": ordering}).json()["results"]
    descending = ordering.startswith("-")
    keys = [(r["created_at"], r["id"]) for r in full]
    assert keys == sorted(keys, reverse=descending)
    paged = []
    for page in range(1, 8):
        body = agent_client.get(
            "/api/complaints/", {"ordering": ordering, "page": page, "page_size": 1}
        ).json()
        paged += [r["id"] for r in body["results"]]
    assert paged == [r["id"] for r in full]


def test_default_ordering_is_newest_first_with_id_tiebreak(agent_client, customer):
    same = timezone.now() - timedelta(hours=1)
    for _ in range(4):
        c = make_complaint(customer=customer)
        Complaint.objects.filter(pk=c.pk).update(created_at=same)
    ids = [r["id"] for r in agent_client.get("/api/complaints/").json()["results"]]
    assert ids == sorted(ids, reverse=True)


def test_q_reference_prefix_or_words(agent_client, customer):
    kettle = make_complaint(customer=customer, title="Broken kettle lid")
    toaster = make_complaint(customer=customer, title="Toaster on fire")

    def refs(q):
        response = agent_client.get("/api/complaints/", {"q": q})
        assert response.status_code == 200, response.content
        return sorted(r["reference"] for r in response.json()["results"])

    # A reference (any case) or its start.
    assert refs(kettle.reference.lower()) == [kettle.reference]
    assert toaster.reference in refs(toaster.reference[:-1])
    # Whole words, case-insensitive, every word.
    assert refs("KETTLE") == [kettle.reference]
    assert refs("fire toaster") == [toaster.reference]
    assert refs("fir") == []
    assert refs("dishwasher") == []


@pytest.mark.parametrize("q", ["a", " a "])
def test_q_shorter_than_two_characters_is_400(agent_client, customer, q):
    make_complaint(customer=customer, title="a")
    response = agent_client.get("/api/complaints/", {"q": q})
    assert response.status_code == 400
    assert "q" in response.json()


def test_blank_q_is_ignored(agent_client, customer):
    make_complaint(customer=customer)
    response = agent_client.get("/api/complaints/", {"q": "   "})
    assert response.status_code == 200
    assert response.json()["count"] == 1


# ----------------------------------------------------------------------- query plans


def _plan(listing) -> str:
    sql, params = listing.keys[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        # The test tables are tiny and their size depends on what earlier tests inserted and
        # rolled back: make every plan but an index-ordered scan prohibitively expensive, so the
        # planner shows a Sort only when no index can serve the ordering.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("ordering", [*ORDERING_FIELDS, *(f"-{f}" for f in ORDERING_FIELDS)])
@pytest.mark.parametrize("scope", ["all", "customer", "status", "assignee", "assignee+status"])
def test_every_ordering_is_index_served(customer, agent, ordering, scope):
    make_complaint(customer=customer)
    user = customer if scope == "customer" else agent
    filters = {"ordering": ordering}
    if "status" in scope:
        filters["status"] = "new"
    if "assignee" in scope:
        filters["assignee"] = "me"
    plan = _plan(complaint_list(user=user, filters=filters))
    assert "Index" in plan, plan
    assert "Sort" not in plan, plan


def test_q_is_index_served(agent):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for q, index in (
            ("CMP-2026-0001", "complaints_complaint_reference_"),
            ("zyzzyva", "complaint_search_tokens"),  # in no complaint: never a common word
        ):
            listing = complaint_list(user=agent, filters={"q": q, "ordering": "-created"})
            sql, params = listing.keys.order_by().query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan


@pytest.mark.parametrize(
    ("params", "prepared"),
    [
        ({}, True),
        ({"status": "new,resolved", "ordering": "priority"}, True),
        ({"assignee": "me", "overdue": "true"}, True),
        ({"q": "parcel"}, False),  # the GIN index or an ordering index, by the word
        ({"created_after": "2026-01-01"}, False),  # by the range's width
    ],
)
def test_lists_run_prepared_unless_their_plan_depends_on_the_values(
    agent_client, populated, params, prepared
):
    for _ in range(2):  # prepared on first use, then executed
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get("/api/complaints/", params).status_code == 200
    page = ctx.captured_queries[-1]["sql"]
    assert page.startswith("EXECUTE ") == prepared, page[:80]
