"""The exact bytes of the API's domain error answers: clients parse them, so they stay put.

Each case reaches a different domain error (raised by a selector, a service or a view) and
pins status code and body, key order included.
"""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from complaints.workflow import Status
from tests.helpers.api import client_for
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}
FORBIDDEN = {"detail": "You do not have permission to perform this action."}


def assert_body(response, status: int, expected: dict) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    # DRF's JSONRenderer: compact separators, UTF-8.
    expected_bytes = json.dumps(expected, separators=(",", ":"), ensure_ascii=False).encode()
    assert response.content == expected_bytes


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --------------------------------------------------------------------------- 404


def test_another_customers_complaint_is_404_on_every_verb(other_customer_client, customer):
    complaint = make_complaint(customer=customer)
    base = f"/api/complaints/{complaint.pk}/"
    client = other_customer_client
    for response in (
        client.get(base),
        client.patch(base, {"title": "Mine now"}, format="json"),
        client.post(f"{base}transition/", {"to_status": "withdrawn"}, format="json"),
        client.post(f"{base}comments/", {"body": "Hello"}, format="json"),
        client.get(f"{base}history/"),
        client.post(f"{base}feedback/", {"rating": 5}, format="json"),
        client.get(f"{base}attachments/"),
        client.get(f"/api/complaints/by-ref/{complaint.reference}/"),
    ):
        assert_body(response, 404, NOT_FOUND)


def test_unknown_ids_are_404(customer_client):
    assert_body(customer_client.get(f"/api/complaints/{uuid.uuid4()}/"), 404, NOT_FOUND)
    assert_body(customer_client.get("/api/complaints/by-ref/CMP%00/"), 404, NOT_FOUND)
    assert_body(customer_client.get("/api/categories/999999/"), 404, NOT_FOUND)
    assert_body(customer_client.get(f"/api/attachments/{uuid.uuid4()}/download/"), 404, NOT_FOUND)


# --------------------------------------------------------------------------- 403


def test_staff_may_not_edit_the_customers_text(agent_client, supervisor_client, customer):
    complaint = make_complaint(customer=customer)
    url = f"/api/complaints/{complaint.pk}/"
    assert_body(agent_client.patch(url, {"title": "x"}, format="json"), 403, FORBIDDEN)
    assert_body(
        supervisor_client.patch(url, {"title": "x", "priority": "high"}, format="json"),
        403,
        FORBIDDEN,
    )
    complaint.refresh_from_db()
    assert (complaint.title, complaint.priority) == ("Broken kettle", 2)


def test_agent_may_not_reroute_or_assign_others(agent_client, supervisor, customer):
    complaint = make_complaint(customer=customer)
    url = f"/api/complaints/{complaint.pk}/"
    assert_body(agent_client.patch(url, {"priority": "high"}, format="json"), 403, FORBIDDEN)
    assert_body(
        agent_client.post(f"{url}assign/", {"assignee_id": str(supervisor.pk)}, format="json"),
        403,
        {
            "detail": "Only supervisors and admins may assign a complaint to someone else.",
            "code": "supervisors_only",
        },
    )


def test_staff_may_not_give_feedback(agent_client, customer):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    response = agent_client.post(
        f"/api/complaints/{complaint.pk}/feedback/", {"rating": 5}, format="json"
    )
    assert_body(response, 403, FORBIDDEN)


# --------------------------------------------------------------------------- 409


def test_illegal_transition_lists_the_allowed_ones(customer_client, customer):
    complaint = make_complaint(customer=customer)
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/transition/", {"to_status": "closed"}, format="json"
    )
    assert_body(
        response,
        409,
        {
            "detail": "Cannot move a complaint from 'new' to 'closed'.",
            "current_status": "new",
            "allowed": ["withdrawn"],
        },
    )


def test_customer_edit_after_acknowledgement(customer_client, customer):
    complaint = make_complaint(customer=customer, status=Status.ACKNOWLEDGED)
    response = customer_client.patch(
        f"/api/complaints/{complaint.pk}/", {"title": "Too late"}, format="json"
    )
    assert_body(
        response,
        409,
        {
            "detail": "A complaint can only be edited while it is new.",
            "current_status": "acknowledged",
        },
    )


def test_comment_on_a_finished_complaint(customer_client, customer):
    complaint = make_complaint(customer=customer, status=Status.CLOSED)
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/comments/", {"body": "One more thing"}, format="json"
    )
    assert_body(
        response,
        409,
        {
            "detail": "This complaint is finished; no more comments can be added.",
            "current_status": "closed",
        },
    )


def test_feedback_twice_and_too_early(customer_client, customer):
    resolved = make_complaint(customer=customer, status=Status.RESOLVED)
    url = f"/api/complaints/{resolved.pk}/feedback/"
    assert customer_client.post(url, {"rating": 4}, format="json").status_code == 201
    assert_body(
        customer_client.post(url, {"rating": 5}, format="json"),
        409,
        {"detail": "Feedback has already been given for this complaint."},
    )
    fresh = make_complaint(customer=customer)
    assert_body(
        customer_client.post(f"/api/complaints/{fresh.pk}/feedback/", {"rating": 5}, format="json"),
        409,
        {
            "detail": "Feedback can only be given once the complaint is resolved or closed.",
            "current_status": "new",
        },
    )


def test_idempotency_key_reused_with_another_body(customer_client, category):
    body = {"category": category.pk, "title": "Lost parcel", "description": "Never came"}
    first = customer_client.post("/api/complaints/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    response = customer_client.post(
        "/api/complaints/", {**body, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert_body(
        response, 409, {"detail": "This Idempotency-Key was already used with a different request."}
    )


def test_attachment_on_a_finished_complaint(customer, customer_client):
    complaint = ComplaintFactory.create(customer=customer, status=Status.CLOSED)
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/attachments/",
        {"file": SimpleUploadedFile("a.txt", b"hello")},
        format="multipart",
    )
    assert_body(
        response,
        409,
        {
            "detail": "This complaint is finished; no more attachments can be added.",
            "current_status": "closed",
        },
    )


# --------------------------------------------------------------------------- 400, 413, 415


def test_bad_idempotency_key_and_unknown_customer(agent_client, category):
    body = {"category": category.pk, "title": "Lost parcel", "description": "Never came"}
    assert_body(
        agent_client.post("/api/complaints/", body, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256),
        400,
        {"Idempotency-Key": ["Must be 1 to 255 characters."]},
    )
    assert_body(
        agent_client.post(
            "/api/complaints/", {**body, "customer_id": str(uuid.uuid4())}, format="json"
        ),
        400,
        {"customer_id": ["No such active customer."]},
    )


def test_inactive_category_on_reroute(supervisor_client, customer):
    complaint = make_complaint(customer=customer)
    response = supervisor_client.patch(
        f"/api/complaints/{complaint.pk}/",
        {"category": CategoryFactory.create(is_active=False).pk},
        format="json",
    )
    assert_body(response, 400, {"category": ["This category is not active."]})


def test_attachment_too_large_and_of_unknown_type(customer, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    complaint = ComplaintFactory.create(customer=customer)
    client = client_for(customer)
    url = f"/api/complaints/{complaint.pk}/attachments/"
    assert_body(
        client.post(url, {"file": SimpleUploadedFile("a.txt", b"a" * 11)}, format="multipart"),
        413,
        {"detail": "The file is larger than 10 bytes."},
    )
    assert_body(
        client.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, format="multipart"),
        415,
        {
            "detail": "Unsupported file type. Allowed types: application/pdf, image/png, "
            "image/jpeg, text/plain.",
            "allowed_types": ["application/pdf", "image/png", "image/jpeg", "text/plain"],
        },
    )


def test_attachment_bound_to_a_comment_of_another_complaint(agent, agent_client, customer):
    complaint = ComplaintFactory.create(customer=customer)
    elsewhere = services.comment_create(
        complaint=ComplaintFactory.create(customer=customer), author=agent, body="Elsewhere"
    )
    response = agent_client.post(
        f"/api/complaints/{complaint.pk}/attachments/",
        {"file": SimpleUploadedFile("a.txt", b"hello"), "comment_id": str(elsewhere.pk)},
        format="multipart",
    )
    assert_body(response, 400, {"comment_id": ["Not a comment of this complaint."]})
