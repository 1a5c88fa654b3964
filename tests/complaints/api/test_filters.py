from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from complaints import services
from complaints.models import Complaint, Priority
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refs(response):
    assert response.status_code == 200, response.content
    return [r["reference"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "bogus"),
        ("status", "new,bogus"),
        ("priority", "3"),
        ("priority", "high,extreme"),
        ("category", "abc"),
        ("assignee", "someone"),
        ("created_after", "yesterday"),
        ("created_before", "2026-13-01"),
        ("overdue", "maybe"),
        ("overdue", "1"),
        ("ordering", "title"),
        ("ordering", "-created,description"),
        ("q", "x" * 201),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(agent_client, param, value):
    response = agent_client.get("/api/complaints/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_status_filter_accepts_comma_list(agent_client, customer):
    new = make_complaint(customer=customer)
    resolved = make_complaint(customer=customer, status=Status.RESOLVED)
    make_complaint(customer=customer, status=Status.IN_PROGRESS)
    refs = _refs(agent_client.get("/api/complaints/", {"status": "new,resolved"}))
    assert sorted(refs) == sorted([new.reference, resolved.reference])


def test_priority_filter_by_name(agent_client, customer):
    urgent = make_complaint(customer=customer, priority=Priority.URGENT)
    make_complaint(customer=customer)
    assert _refs(agent_client.get("/api/complaints/", {"priority": "urgent"})) == [urgent.reference]
    response = agent_client.get("/api/complaints/", {"priority": "urgent"})
    assert response.json()["results"][0]["priority"] == "urgent"


def test_category_filter(agent_client, customer):
    category = CategoryFactory.create()
    mine = make_complaint(customer=customer, category=category)
    make_complaint(customer=customer)
    assert _refs(agent_client.get("/api/complaints/", {"category": category.pk})) == [
        mine.reference
    ]


def test_assignee_filter(agent_client, agent, customer):
    other_agent = UserFactory.create(role=Role.AGENT)
    mine = make_complaint(customer=customer)
    services.complaint_assign(complaint=mine, actor=agent, assignee=agent)
    theirs = make_complaint(customer=customer)
    services.complaint_assign(complaint=theirs, actor=None, assignee=other_agent)
    nobody = make_complaint(customer=customer)
    assert _refs(agent_client.get("/api/complaints/", {"assignee": "me"})) == [mine.reference]
    assert _refs(agent_client.get("/api/complaints/", {"assignee": "none"})) == [nobody.reference]
    assert _refs(agent_client.get("/api/complaints/", {"assignee": str(other_agent.pk)})) == [
        theirs.reference
    ]


def test_created_range(agent_client, customer):
    old = make_complaint(customer=customer)
    Complaint.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    recent = make_complaint(customer=customer)
    cutoff = (timezone.now() - timedelta(days=5)).date().isoformat()
    assert _refs(agent_client.get("/api/complaints/", {"created_after": cutoff})) == [
        recent.reference
    ]
    assert _refs(agent_client.get("/api/complaints/", {"created_before": cutoff})) == [
        old.reference
    ]
    stamp = (timezone.now() - timedelta(days=5)).isoformat()
    assert _refs(agent_client.get("/api/complaints/", {"created_after": stamp})) == [
        recent.reference
    ]


def test_overdue_filter_and_flag(agent_client, customer):
    late = make_complaint(customer=customer)
    Complaint.objects.filter(pk=late.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    on_time = make_complaint(customer=customer)
    finished_late = make_complaint(customer=customer, status=Status.CLOSED)
    Complaint.objects.filter(pk=finished_late.pk).update(
        resolve_due_at=timezone.now() - timedelta(hours=1)
    )
    assert _refs(agent_client.get("/api/complaints/", {"overdue": "true"})) == [late.reference]
    assert sorted(_refs(agent_client.get("/api/complaints/", {"overdue": "false"}))) == sorted(
        [on_time.reference, finished_late.reference]
    )
    rows = {
        r["reference"]: r["is_overdue"]
        for r in agent_client.get("/api/complaints/").json()["results"]
    }
    assert rows == {late.reference: True, on_time.reference: False, finished_late.reference: False}
    assert agent_client.get(f"/api/complaints/{late.pk}/").json()["is_overdue"] is True


def test_q_matches_reference_prefix_and_title(agent_client, customer):
    kettle = make_complaint(customer=customer, title="Broken kettle lid")
    toaster = make_complaint(customer=customer, title="Toaster on fire")
    assert _refs(agent_client.get("/api/complaints/", {"q": "kettle"})) == [kettle.reference]
    assert _refs(agent_client.get("/api/complaints/", {"q": toaster.reference})) == [
        toaster.reference
    ]
    assert _refs(agent_client.get("/api/complaints/", {"q": toaster.reference.lower()})) == [
        toaster.reference
    ]
    prefix = kettle.reference[:-1]
    assert kettle.reference in _refs(agent_client.get("/api/complaints/", {"q": prefix}))


@pytest.mark.parametrize(
    ("ordering", "key", "reverse"),
    [
        ("priority", "priority", False),
        ("-priority", "priority", True),
        ("created", "created_at", False),
        ("-created_at", "created_at", True),
        ("updated", "updated_at", False),
        ("resolve_due_at", "resolve_due_at", False),
        ("-last_customer_activity_at", "last_customer_activity_at", True),
    ],
)
def test_ordering(agent_client, customer, ordering, key, reverse):
    for priority in (Priority.HIGH, Priority.LOW, Priority.URGENT, Priority.NORMAL):
        make_complaint(customer=customer, priority=priority)
    response = agent_client.get("/api/complaints/", {"ordering": ordering})
    assert response.status_code == 200
    rows = response.json()["results"]
    rank = {p.label: p.value for p in Priority}
    values = [rank[r[key]] if key == "priority" else r[key] for r in rows]
    assert values == sorted(values, reverse=reverse)


def test_customer_filters_stay_within_own(customer_client, customer, other_customer):
    make_complaint(customer=other_customer, title="Other kettle")
    mine = make_complaint(customer=customer, title="My kettle")
    assert _refs(customer_client.get("/api/complaints/", {"q": "kettle"})) == [mine.reference]


def test_pagination_default_and_limits(agent_client, customer):
    category = CategoryFactory.create()
    for _ in range(105):
        services.complaint_create(customer=customer, category=category, title="t", description="d")
    default = agent_client.get("/api/complaints/").json()
    assert default["count"] == 105
    assert len(default["results"]) == 25
    assert len(agent_client.get("/api/complaints/", {"page_size": 50}).json()["results"]) == 50
    assert len(agent_client.get("/api/complaints/", {"page_size": 100}).json()["results"]) == 100
    assert agent_client.get("/api/complaints/", {"page": 99}).status_code == 404
    # Beyond the pages the list serves (complaints_project.pagination.MAX_OFFSET): a 400.
    assert agent_client.get("/api/complaints/", {"page": "9" * 40}).status_code == 400


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page_size", "101"),
        ("page_size", "0"),
        ("page_size", "x"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "last"),
        ("page", ""),
        ("page_size", "9" * 40),
    ],
)
def test_pagination_parameters_out_of_range_are_400(agent_client, name, value):
    response = agent_client.get("/api/complaints/", {name: value})

    assert response.status_code == 400
    assert list(response.json()) == [name]
