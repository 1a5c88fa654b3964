"""Canned responses over the API: roles, 404 for customers, validation, rendering."""

import pytest

from complaints import canned_responses as canned
from complaints.models import CannedResponse
from tests.helpers.factories import CategoryFactory, ComplaintFactory, UserFactory

URL = "/api/canned-responses/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def billing():
    return CategoryFactory.create(name="Billing", slug="billing")


@pytest.fixture
def greeting():
    return canned.canned_response_create(
        actor=None, title="Greeting", body="Dear {customer_first_name}, about {reference}:"
    )


@pytest.fixture
def billing_reply(billing):
    return canned.canned_response_create(
        actor=None, title="Refund", body="Refund issued. {agent_name}", category=billing
    )


def test_supervisor_creates_a_category_response(supervisor_client, billing):
    body = {"title": "Refund", "body": "Hi {customer_first_name}", "category_id": billing.pk}
    response = supervisor_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["category"] == {"id": billing.pk, "name": "Billing", "slug": "billing"}
    assert data["is_active"] is True
    created_by = CannedResponse.objects.get().created_by
    assert created_by is not None
    assert created_by.role == "supervisor"


def test_admin_creates_a_global_response(admin_client_api):
    response = admin_client_api.post(URL, {"title": "Hello", "body": "Hello"}, format="json")
    assert response.status_code == 201
    assert response.json()["category"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "body": "Hi {first_name}"}, "body"),
        ({"title": "T", "body": "Hi {reference.__class__}"}, "body"),
        ({"title": "T", "body": "Hi {"}, "body"),
        ({"title": "T", "body": "   "}, "body"),
        ({"title": "", "body": "b"}, "title"),
        ({"title": "T", "body": "b", "category_id": 999999}, "category_id"),
        ({"title": "T", "body": "x" * 5001}, "body"),
    ],
)
def test_invalid_input_is_400_naming_the_field(supervisor_client, body, field):
    response = supervisor_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_agents_read_but_may_not_write(agent_client, greeting):
    assert agent_client.get(URL).status_code == 200
    assert agent_client.get(f"{URL}{greeting.pk}/").status_code == 200
    assert agent_client.post(URL, {"title": "T", "body": "b"}, format="json").status_code == 403
    detail = f"{URL}{greeting.pk}/"
    assert agent_client.patch(detail, {"title": "U"}, format="json").status_code == 403
    assert agent_client.delete(detail).status_code == 403
    greeting.refresh_from_db()
    assert greeting.title == "Greeting"


def test_agents_do_not_see_inactive_responses(agent_client, supervisor_client, greeting):
    canned.canned_response_update(canned_response=greeting, actor=None, is_active=False)
    assert agent_client.get(URL).json()["results"] == []
    assert agent_client.get(f"{URL}{greeting.pk}/").status_code == 404
    assert len(supervisor_client.get(URL).json()["results"]) == 1


def test_customers_get_404_everywhere(customer, customer_client, greeting):
    own = ComplaintFactory.create(customer=customer)
    assert customer_client.get(URL).status_code == 404
    assert customer_client.post(URL, {"title": "T", "body": "b"}, format="json").status_code == 404
    assert customer_client.get(f"{URL}{greeting.pk}/").status_code == 404
    assert customer_client.patch(f"{URL}{greeting.pk}/", {}, format="json").status_code == 404
    assert customer_client.delete(f"{URL}{greeting.pk}/").status_code == 404
    assert customer_client.get(f"/api/complaints/{own.pk}/canned-responses/").status_code == 404
    assert CannedResponse.objects.filter(pk=greeting.pk).exists()


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_list_filters_by_category_or_global(supervisor_client, billing, greeting, billing_reply):
    by_category = supervisor_client.get(URL, {"category": billing.pk}).json()["results"]
    assert [r["title"] for r in by_category] == ["Refund"]
    only_global = supervisor_client.get(URL, {"category": "global"}).json()["results"]
    assert [r["title"] for r in only_global] == ["Greeting"]


def test_supervisor_edits_moves_and_deletes(supervisor_client, billing, greeting):
    detail = f"{URL}{greeting.pk}/"
    response = supervisor_client.patch(
        detail, {"body": "Hello {agent_name}", "category_id": billing.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["category"]["id"] == billing.pk
    bad = supervisor_client.patch(detail, {"body": "{oops}"}, format="json")
    assert bad.status_code == 400
    back = supervisor_client.patch(detail, {"category_id": None}, format="json")
    assert back.json()["category"] is None
    assert supervisor_client.delete(detail).status_code == 204
    assert supervisor_client.get(detail).status_code == 404


def test_a_complaint_lists_its_categorys_and_the_global_responses_rendered(
    agent, agent_client, billing, greeting, billing_reply
):
    canned.canned_response_create(
        actor=None, title="Elsewhere", body="x", category=CategoryFactory.create()
    )
    customer = UserFactory.create(full_name="Ada Lovelace")
    complaint = ComplaintFactory.create(customer=customer, category=billing)
    response = agent_client.get(f"/api/complaints/{complaint.pk}/canned-responses/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["title"] for r in rows] == ["Refund", "Greeting"]
    assert rows[0]["rendered_body"] == f"Refund issued. {agent.full_name}"
    assert rows[1]["rendered_body"] == f"Dear Ada, about {complaint.reference}:"
    assert rows[1]["body"] == greeting.body


def test_an_unknown_complaint_is_404(agent_client):
    response = agent_client.get(
        "/api/complaints/00000000-0000-0000-0000-000000000000/canned-responses/"
    )
    assert response.status_code == 404


def test_complaint_list_query_count_is_constant(
    agent_client, billing, django_assert_max_num_queries
):
    complaint = ComplaintFactory.create(category=billing)
    for n in range(6):
        canned.canned_response_create(
            actor=None, title=f"R{n}", body="{reference}", category=billing if n % 2 else None
        )
    # The auth user, the agent's name (authentication leaves personal columns out), the
    # complaint and the responses.
    with django_assert_max_num_queries(4):
        rows = agent_client.get(f"/api/complaints/{complaint.pk}/canned-responses/").json()
    assert len(rows) == 6


@pytest.mark.parametrize("value", ["abc", "0", "99999999999999999999", "-1"])
def test_a_bad_category_filter_is_400(supervisor_client, value):
    response = supervisor_client.get(URL, {"category": value})
    assert response.status_code == 400
    assert "category" in response.json()


def test_huge_ids_are_404(supervisor_client):
    assert supervisor_client.get(f"{URL}99999999999999999999/").status_code == 404
    assert supervisor_client.get("/api/sla-calendars/99999999999999999999/").status_code == 404


def test_staff_read_the_placeholders_customers_get_404(
    agent_client, customer_client, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the caller's user row
        response = agent_client.get(f"{URL}placeholders/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == list(canned.PLACEHOLDERS)
    assert rows[0]["description"] == canned.PLACEHOLDERS[rows[0]["name"]]
    assert customer_client.get(f"{URL}placeholders/").status_code == 404
