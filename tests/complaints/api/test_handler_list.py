"""GET /api/users/handlers/: who may list staff, what each row says, constant query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from complaints.selectors import handler_workload_list
from complaints.workflow import Status
from tests.conftest import client_for
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/users/handlers/"


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_customers_are_403(customer_client):
    resp = customer_client.get(URL)
    assert resp.status_code == 403
    assert "detail" in resp.json()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_staff_may_list(role):
    user = UserFactory(role=role)
    resp = client_for(user).get(URL)
    assert resp.status_code == 200
    assert [row["id"] for row in resp.json()["results"]] == [str(user.pk)]


def test_output_and_open_assigned(supervisor_client, supervisor, customer):
    t0 = timezone.now() - timedelta(days=10)
    bob = UserFactory(role=Role.AGENT, full_name="Bob Agent", date_joined=t0)
    UserFactory(role=Role.AGENT, full_name="Ann Agent", date_joined=t0 + timedelta(days=1))
    boss = UserFactory(role=Role.ADMIN, full_name="Zed Admin", date_joined=t0)
    UserFactory(role=Role.AGENT, is_active=False)  # inactive: not listed
    # Bob: three open (new, in progress, reopened) + resolved/closed/rejected (not counted).
    for status in (Status.NEW, Status.IN_PROGRESS, Status.REOPENED):
        ComplaintFactory(assignee=bob, status=status, customer=customer)
    for status in (Status.RESOLVED, Status.CLOSED, Status.REJECTED):
        ComplaintFactory(assignee=bob, status=status, customer=customer)
    ComplaintFactory(assignee=boss, status=Status.AWAITING_CUSTOMER, customer=customer)
    ComplaintFactory(status=Status.NEW, customer=customer)  # unassigned

    body = supervisor_client.get(URL).json()
    assert body["count"] == 4
    rows = body["results"]
    assert rows[0] == {
        "id": str(bob.pk),
        "full_name": "Bob Agent",
        "role": "agent",
        "open_assigned": 3,
    }
    # Ordered by role (agent, supervisor, admin), then date joined.
    assert [(r["full_name"], r["role"]) for r in rows] == [
        ("Bob Agent", "agent"),
        ("Ann Agent", "agent"),
        (supervisor.full_name, "supervisor"),
        ("Zed Admin", "admin"),
    ]
    assert {r["full_name"]: r["open_assigned"] for r in rows} == {
        "Bob Agent": 3,
        "Ann Agent": 0,
        supervisor.full_name: 0,
        "Zed Admin": 1,
    }
    # No customer, no email or phone in the output.
    assert all(set(r) == {"id", "full_name", "role", "open_assigned"} for r in rows)


def test_paginated(agent_client, agent):
    for _ in range(4):
        UserFactory(role=Role.AGENT)
    first = agent_client.get(URL, {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"]
    rest = agent_client.get(URL, {"page_size": 2, "page": 3}).json()
    assert len(rest["results"]) == 1
    ids = [r["id"] for r in first["results"]]
    ids += [r["id"] for r in agent_client.get(URL, {"page_size": 2, "page": 2}).json()["results"]]
    ids += [r["id"] for r in rest["results"]]
    assert len(set(ids)) == 5


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"page_size": 100}).status_code == 200
    return len(ctx.captured_queries)


def test_constant_query_count(supervisor_client, customer, django_assert_max_num_queries):
    small = count_queries(supervisor_client)
    for _ in range(15):
        handler = UserFactory(role=Role.AGENT)
        ComplaintFactory(assignee=handler, status=Status.NEW, customer=customer)
        ComplaintFactory(assignee=handler, status=Status.CLOSED, customer=customer)
    # user lookup for the JWT + paginator COUNT + the page itself
    with django_assert_max_num_queries(3):
        resp = supervisor_client.get(URL, {"page_size": 100})
    assert len(resp.json()["results"]) == 16
    assert count_queries(supervisor_client) == small


def test_selector_annotates_in_one_query(django_assert_num_queries, customer):
    for _ in range(3):
        ComplaintFactory(
            assignee=UserFactory(role=Role.AGENT), status=Status.NEW, customer=customer
        )
    with django_assert_num_queries(1):
        rows = [(u.full_name, u.open_assigned) for u in handler_workload_list()]
    assert [n for _, n in rows] == [1, 1, 1]
