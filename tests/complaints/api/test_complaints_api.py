"""The API contract the Streamlit app and the events system are written against."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from complaints.models import Complaint, Priority
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

DETAIL_KEYS = {
    "id",
    "reference",
    "title",
    "description",
    "resolution",
    "rejection_reason",
    "status",
    "priority",
    "channel",
    "category",
    "customer",
    "assignee",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "sla_paused_at",
    "is_overdue",
    "allowed_transitions",
    "transitions_requiring_reason",
    "can_comment",
    "can_upload",
    "can_give_feedback",
    "can_edit",
    "can_set_priority",
    "can_change_category",
    "can_take",
    "can_unassign",
    "can_assign_anyone",
    "can_post_internal",
    "feedback",
}


def test_create_returns_full_complaint(customer_client, customer, category):
    response = customer_client.post(
        "/api/complaints/",
        {"category": category.pk, "title": "Cold food", "description": "Arrived cold"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert re.match(r"^CMP-\d{4}-\d{6}$", body["reference"])
    assert body["status"] == "new"
    assert body["priority"] == "normal"
    assert body["channel"] == "web"
    assert body["category"] == {"id": category.pk, "name": category.name, "slug": category.slug}
    assert body["customer"] == {
        "id": str(customer.pk),
        "full_name": customer.full_name,
        "display_name": customer.full_name,
    }
    assert body["assignee"] is None
    assert body["feedback"] is None
    assert body["allowed_transitions"] == ["withdrawn"]


def test_create_ignores_fields_customers_may_not_set(customer_client, customer, agent, category):
    response = customer_client.post(
        "/api/complaints/",
        {
            "category": category.pk,
            "title": "t",
            "description": "d",
            "priority": "urgent",
            "status": "resolved",
            "assignee": str(agent.pk),
            "assignee_id": str(agent.pk),
            "reference": "CMP-1999-000001",
            "customer": str(agent.pk),
            "customer_id": str(agent.pk),
        },
        format="json",
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.priority == Priority.NORMAL
    assert complaint.status == Status.NEW
    assert complaint.assignee is None
    assert complaint.reference != "CMP-1999-000001"
    assert complaint.customer == customer


def test_staff_may_set_priority_channel_and_customer(agent_client, customer, category):
    response = agent_client.post(
        "/api/complaints/",
        {
            "category": category.pk,
            "title": "Phoned in",
            "description": "d",
            "priority": "urgent",
            "channel": "phone",
            "customer_id": str(customer.pk),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["priority"], body["channel"]) == ("urgent", "phone")
    assert body["customer"]["id"] == str(customer.pk)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "t", "description": "d"}, "category"),
        ({"category": 999999, "title": "t", "description": "d"}, "category"),
        ({"category": "{cat}", "title": "x" * 201, "description": "d"}, "title"),
        ({"category": "{cat}", "title": "t"}, "description"),
        ({"category": "{cat}", "title": "t", "description": "d", "channel": "fax"}, "channel"),
        ({"category": "{inactive}", "title": "t", "description": "d"}, "category"),
    ],
)
def test_create_validation(customer_client, category, payload, field):
    inactive = CategoryFactory.create(is_active=False)
    payload = {
        k: {"{cat}": category.pk, "{inactive}": inactive.pk}.get(v, v) if isinstance(v, str) else v
        for k, v in payload.items()
    }
    response = customer_client.post("/api/complaints/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_list_rows_are_lighter(agent_client, customer):
    make_complaint(customer=customer)
    (row,) = agent_client.get("/api/complaints/").json()["results"]
    assert set(row) == DETAIL_KEYS - {"description", "resolution"}
    assert row["allowed_transitions"] == ["acknowledged", "rejected"]


def test_by_reference_is_case_insensitive(customer_client, customer):
    complaint = make_complaint(customer=customer)
    response = customer_client.get(f"/api/complaints/by-ref/{complaint.reference.lower()}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(complaint.pk)
    assert customer_client.get("/api/complaints/by-ref/CMP-0000-000000/").status_code == 404


# --------------------------------------------------------------------------- transitions


def test_transition_returns_complaint_with_new_buttons(agent_client, customer):
    complaint = make_complaint(customer=customer)
    response = agent_client.post(
        f"/api/complaints/{complaint.pk}/transition/", {"to_status": "acknowledged"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_at"] is not None
    assert body["allowed_transitions"] == ["in_progress", "rejected"]


def test_illegal_transition_is_409_with_allowed(agent_client, customer):
    complaint = make_complaint(customer=customer)
    response = agent_client.post(
        f"/api/complaints/{complaint.pk}/transition/", {"to_status": "closed"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_status"] == "new"
    assert body["allowed"] == ["acknowledged", "rejected"]
    assert body["detail"]


def test_transition_needs_known_status_and_reason(agent_client, customer):
    complaint = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    url = f"/api/complaints/{complaint.pk}/transition/"
    assert "to_status" in agent_client.post(url, {"to_status": "done"}, format="json").json()
    response = agent_client.post(url, {"to_status": "resolved"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = agent_client.post(url, {"to_status": "resolved", "reason": "Fixed"}, format="json")
    assert response.status_code == 200
    assert response.json()["resolution"] == "Fixed"


def test_reopen_button_disappears_after_window(customer_client, customer, settings):
    settings.COMPLAINT_REOPEN_WINDOW_DAYS = 14
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    url = f"/api/complaints/{complaint.pk}/"
    assert customer_client.get(url).json()["allowed_transitions"] == ["closed", "reopened"]
    Complaint.objects.filter(pk=complaint.pk).update(
        resolved_at=timezone.now() - timedelta(days=15)
    )
    assert customer_client.get(url).json()["allowed_transitions"] == ["closed"]
    response = customer_client.post(f"{url}transition/", {"to_status": "reopened"}, format="json")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["closed"]


def test_rejection_reason_visible_to_owner(customer_client, customer, agent_client):
    complaint = make_complaint(customer=customer)
    agent_client.post(
        f"/api/complaints/{complaint.pk}/transition/",
        {"to_status": "rejected", "reason": "Duplicate of CMP-1"},
        format="json",
    )
    body = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert body["rejection_reason"] == "Duplicate of CMP-1"
    assert body["allowed_transitions"] == []


# --------------------------------------------------------------------------- assign


def test_assign_and_unassign(agent_client, agent, customer):
    complaint = make_complaint(customer=customer)
    url = f"/api/complaints/{complaint.pk}/assign/"
    body = agent_client.post(url, {"assignee_id": str(agent.pk)}, format="json").json()
    assert body["assignee"] == {
        "id": str(agent.pk),
        "full_name": agent.full_name,
        "display_name": f"{agent.full_name} (Support agent)",
    }
    body = agent_client.post(url, {"assignee_id": None}, format="json").json()
    assert body["assignee"] is None


@pytest.mark.parametrize("target", ["customer", "unknown", "missing", "garbage"])
def test_assign_validation(supervisor_client, customer, target):
    complaint = make_complaint(customer=customer)
    payload = {
        "customer": {"assignee_id": str(customer.pk)},
        "unknown": {"assignee_id": "00000000-0000-0000-0000-000000000000"},
        "missing": {},
        "garbage": {"assignee_id": "nope"},
    }[target]
    response = supervisor_client.post(
        f"/api/complaints/{complaint.pk}/assign/", payload, format="json"
    )
    assert response.status_code == 400
    assert "assignee_id" in response.json()


# --------------------------------------------------------------------------- update


def test_customer_patch_ignores_priority_and_category(customer_client, customer):
    complaint = make_complaint(customer=customer)
    other = CategoryFactory.create()
    response = customer_client.patch(
        f"/api/complaints/{complaint.pk}/",
        {"priority": "urgent", "category": other.pk, "title": "Better title"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["priority"], body["category"]["id"], body["title"]) == (
        "normal",
        complaint.category_id,
        "Better title",
    )


def test_customer_patch_after_acknowledgement_is_409(customer_client, customer):
    complaint = make_complaint(customer=customer, status=Status.ACKNOWLEDGED)
    response = customer_client.patch(
        f"/api/complaints/{complaint.pk}/", {"title": "Too late"}, format="json"
    )
    assert response.status_code == 409


def test_supervisor_patch_priority_and_category(supervisor_client, customer):
    complaint = make_complaint(customer=customer)
    new_category = CategoryFactory.create()
    response = supervisor_client.patch(
        f"/api/complaints/{complaint.pk}/",
        {"priority": "high", "category": new_category.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["priority"] == "high"
    assert response.json()["category"]["id"] == new_category.pk
    kinds = [
        e["kind"]
        for e in supervisor_client.get(f"/api/complaints/{complaint.pk}/history/").json()["results"]
    ]
    assert "priority_changed" in kinds
    assert "category_changed" in kinds


def test_patch_bad_priority_is_400(supervisor_client, customer):
    complaint = make_complaint(customer=customer)
    response = supervisor_client.patch(
        f"/api/complaints/{complaint.pk}/", {"priority": "extreme"}, format="json"
    )
    assert response.status_code == 400
    assert "priority" in response.json()


# --------------------------------------------------------------------------- comments, feedback


def test_comment_output_and_customer_reply_reopens_work(customer_client, customer):
    complaint = make_complaint(customer=customer, status=Status.AWAITING_CUSTOMER)
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/comments/", {"body": "Photo attached"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "author", "body", "internal", "created_at"}
    assert body["author"] == {
        "id": str(customer.pk),
        "full_name": customer.full_name,
        "display_name": customer.full_name,
    }
    assert body["internal"] is False
    detail = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert detail["status"] == "in_progress"


def test_feedback_once_and_shown_on_complaint(customer_client, customer):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    url = f"/api/complaints/{complaint.pk}/feedback/"
    response = customer_client.post(url, {"rating": 5, "comment": "Great"}, format="json")
    assert response.status_code == 201
    assert response.json()["rating"] == 5
    assert customer_client.post(url, {"rating": 4}, format="json").status_code == 409
    detail = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert detail["feedback"]["rating"] == 5
    assert detail["feedback"]["comment"] == "Great"


@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_feedback_rating_validation(customer_client, customer, rating):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/feedback/", {"rating": rating}, format="json"
    )
    assert response.status_code == 400
    assert "rating" in response.json()


# --------------------------------------------------------------------------- categories


def test_category_create_and_update(supervisor_client):
    agent = UserFactory.create(role=Role.AGENT)
    response = supervisor_client.post(
        "/api/categories/",
        {
            "name": "Late Delivery",
            "acknowledge_within_hours": 4,
            "default_assignee_id": str(agent.pk),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "late-delivery"
    assert body["default_assignee_id"] == str(agent.pk)
    dup = supervisor_client.post("/api/categories/", {"name": "Late Delivery"}, format="json")
    assert dup.status_code == 400
    response = supervisor_client.patch(
        f"/api/categories/{body['id']}/", {"resolve_within_hours": 12}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["resolve_within_hours"] == 12


def test_inactive_category_hidden_from_customer_detail(customer_client, agent_client):
    gone = CategoryFactory.create(is_active=False)
    assert customer_client.get(f"/api/categories/{gone.pk}/").status_code == 404
    assert agent_client.get(f"/api/categories/{gone.pk}/").status_code == 200


@pytest.mark.parametrize("reference", ["%00", "CMP-2026%00-000001"])
def test_by_reference_with_nul_byte_is_404(customer_client, reference):
    customer_client.raise_request_exception = False

    response = customer_client.get(f"/api/complaints/by-ref/{reference}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "url", ["/api/complaints/", "/api/users/me/", "/api/token/", "/api/token/refresh/"]
)
def test_deeply_nested_json_body_is_400(customer_client, url):
    customer_client.raise_request_exception = False
    body = "[" * 100_000 + "]" * 100_000  # 200 kB: well under the upload limit

    response = customer_client.generic(
        "PATCH" if url == "/api/users/me/" else "POST", url, body, "application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
