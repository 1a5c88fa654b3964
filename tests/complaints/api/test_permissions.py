"""Every endpoint x role x own/other's complaint, with the status code each should get."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from complaints.models import Category, Complaint
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "other_customer", "agent", "supervisor", "admin"]


def _expect(owner, other, agent, supervisor, admin):
    return dict(zip(ROLES, [owner, other, agent, supervisor, admin], strict=True))


# name: (status the complaint is in, method, path, body builder, expected codes)
CASES = {
    "detail": (Status.NEW, "get", "/api/complaints/{id}/", None, _expect(200, 404, 200, 200, 200)),
    "by_ref": (
        Status.NEW,
        "get",
        "/api/complaints/by-ref/{ref}/",
        None,
        _expect(200, 404, 200, 200, 200),
    ),
    "patch_title": (
        Status.NEW,
        "patch",
        "/api/complaints/{id}/",
        lambda u: {"title": "Edited"},
        _expect(200, 404, 403, 403, 403),
    ),
    "patch_priority": (
        Status.NEW,
        "patch",
        "/api/complaints/{id}/",
        lambda u: {"priority": "high"},
        _expect(200, 404, 403, 200, 200),
    ),
    "transition_ack": (
        Status.NEW,
        "post",
        "/api/complaints/{id}/transition/",
        lambda u: {"to_status": "acknowledged"},
        _expect(409, 404, 200, 200, 200),
    ),
    "transition_withdraw": (
        Status.NEW,
        "post",
        "/api/complaints/{id}/transition/",
        lambda u: {"to_status": "withdrawn"},
        _expect(200, 404, 409, 409, 409),
    ),
    "transition_close": (
        Status.RESOLVED,
        "post",
        "/api/complaints/{id}/transition/",
        lambda u: {"to_status": "closed"},
        _expect(200, 404, 200, 200, 200),
    ),
    "assign_self": (
        Status.NEW,
        "post",
        "/api/complaints/{id}/assign/",
        lambda u: {"assignee_id": str(u.pk)},
        # Customers are not handlers: 403 on their own complaint (they may see it), 404 else.
        _expect(403, 404, 200, 200, 200),
    ),
    "assign_other_agent": (
        Status.NEW,
        "post",
        "/api/complaints/{id}/assign/",
        lambda u: {"assignee_id": "{agent2}"},
        _expect(403, 404, 403, 200, 200),
    ),
    "comments_list": (
        Status.NEW,
        "get",
        "/api/complaints/{id}/comments/",
        None,
        _expect(200, 404, 200, 200, 200),
    ),
    "comment_public": (
        Status.NEW,
        "post",
        "/api/complaints/{id}/comments/",
        lambda u: {"body": "Hello"},
        _expect(201, 404, 201, 201, 201),
    ),
    "comment_internal": (
        Status.NEW,
        "post",
        "/api/complaints/{id}/comments/",
        lambda u: {"body": "Note", "internal": True},
        _expect(400, 404, 201, 201, 201),
    ),
    "comment_on_closed": (
        Status.CLOSED,
        "post",
        "/api/complaints/{id}/comments/",
        lambda u: {"body": "Still there?"},
        _expect(409, 404, 201, 201, 201),
    ),
    "history": (
        Status.NEW,
        "get",
        "/api/complaints/{id}/history/",
        None,
        _expect(200, 404, 200, 200, 200),
    ),
    "feedback": (
        Status.RESOLVED,
        "post",
        "/api/complaints/{id}/feedback/",
        lambda u: {"rating": 5},
        _expect(201, 404, 403, 403, 403),
    ),
    "feedback_too_early": (
        Status.IN_PROGRESS,
        "post",
        "/api/complaints/{id}/feedback/",
        lambda u: {"rating": 5},
        _expect(409, 404, 403, 403, 403),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_complaint_endpoint_matrix(users, client_as, case, role):
    status, method, path, body, expected = CASES[case]
    complaint = make_complaint(customer=users["owner"], status=status)
    url = path.format(id=complaint.pk, ref=complaint.reference)
    payload: dict[str, Any] | None = body(users[role]) if body else None
    if payload and payload.get("assignee_id") == "{agent2}":
        payload["assignee_id"] = str(UserFactory.create(role=Role.AGENT).pk)
    response = getattr(client_as(role), method)(url, payload, format="json")
    assert response.status_code == expected[role], response.content
    if expected[role] == 404:
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_own_complaints_to_customers(users, client_as, role):
    make_complaint(customer=users["owner"])
    make_complaint(customer=users["other_customer"])
    response = client_as(role).get("/api/complaints/")
    assert response.status_code == 200
    expected = 1 if role in {"owner", "other_customer"} else 2
    assert response.json()["count"] == expected
    if role in {"owner", "other_customer"}:
        assert {r["customer"]["id"] for r in response.json()["results"]} == {str(users[role].pk)}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_can_file(users, client_as, category, role):
    response = client_as(role).post(
        "/api/complaints/",
        {"category": category.pk, "title": "Noise", "description": "Too loud"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Complaint.objects.get(pk=response.json()["id"]).customer == users[role]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 403), ("other_customer", 403), ("agent", 403), ("supervisor", 201), ("admin", 201)],
)
def test_category_create(client_as, role, expected):
    response = client_as(role).post(
        "/api/categories/", {"name": "Billing", "resolve_within_hours": 72}, format="json"
    )
    assert response.status_code == expected, response.content
    assert Category.objects.filter(slug="billing").exists() == (expected == 201)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 403), ("other_customer", 403), ("agent", 403), ("supervisor", 200), ("admin", 200)],
)
def test_category_update(client_as, category, role, expected):
    response = client_as(role).patch(
        f"/api/categories/{category.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == expected, response.content
    category.refresh_from_db()
    assert category.is_active == (expected != 200)


@pytest.mark.parametrize("role", ROLES)
def test_category_list(client_as, role):
    CategoryFactory.create(slug="active-one", name="Active one")
    CategoryFactory.create(slug="gone", name="Gone", is_active=False)
    response = client_as(role).get("/api/categories/")
    assert response.status_code == 200
    slugs = {c["slug"] for c in response.json()["results"]}
    if role in {"owner", "other_customer"}:
        assert slugs == {"active-one"}
    else:
        assert slugs == {"active-one", "gone"}


ANONYMOUS = [
    ("get", "/api/complaints/"),
    ("post", "/api/complaints/"),
    ("get", "/api/complaints/{id}/"),
    ("patch", "/api/complaints/{id}/"),
    ("get", "/api/complaints/by-ref/{ref}/"),
    ("post", "/api/complaints/{id}/transition/"),
    ("post", "/api/complaints/{id}/assign/"),
    ("get", "/api/complaints/{id}/comments/"),
    ("post", "/api/complaints/{id}/comments/"),
    ("get", "/api/complaints/{id}/history/"),
    ("post", "/api/complaints/{id}/feedback/"),
    ("get", "/api/categories/"),
    ("post", "/api/categories/"),
    ("patch", "/api/categories/1/"),
]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS)
def test_anonymous_gets_401(users, method, path):
    complaint = make_complaint(customer=users["owner"])
    url = path.format(id=complaint.pk, ref=complaint.reference)
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert response.status_code == 401


def test_unknown_complaint_is_404(client_as):
    response = client_as("agent").get("/api/complaints/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
