"""The queue's unread-activity marker, last customer activity, its ordering and ``.../seen/``."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import attachments, services
from complaints.models import Complaint
from complaints.workflow import Status
from tests.helpers.api import client_for
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db

LIST = "/api/complaints/"


def seen_url(complaint) -> str:
    return f"/api/complaints/{complaint.pk}/seen/"


def _rows(client, **params) -> dict[str, dict]:
    response = client.get(LIST, {"page_size": "100", **params})
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def _unread(client, complaint) -> bool | None:
    return _rows(client)[str(complaint.pk)]["has_unread_activity"]


def _activity(complaint):
    return Complaint.objects.values_list("last_customer_activity_at", flat=True).get(
        pk=complaint.pk
    )


def test_filing_is_the_first_customer_activity(customer, category):
    complaint = make_complaint(customer=customer, category=category)
    assert _activity(complaint) == complaint.created_at


def test_what_the_customer_does_moves_the_activity_and_staff_work_does_not(
    customer, agent, category, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    before = _activity(complaint)
    services.comment_create(complaint=complaint, author=agent, body="public answer")
    services.comment_create(complaint=complaint, author=agent, body="note", internal=True)
    upload = SimpleUploadedFile("label.txt", b"label", content_type="text/plain")
    attachments.attachment_add(complaint=complaint, uploader=agent, upload=upload)
    assert _activity(complaint) == before

    def reply():
        services.comment_create(complaint=complaint, author=customer, body="Any news?")

    def upload_photo():
        photo = SimpleUploadedFile("photo.txt", b"box", content_type="text/plain")
        attachments.attachment_add(complaint=complaint, uploader=customer, upload=photo)

    def reopen():
        services.complaint_transition(
            complaint=complaint, actor=agent, to_status=Status.RESOLVED, reason="Refunded."
        )
        services.complaint_transition(
            complaint=complaint, actor=customer, to_status=Status.REOPENED
        )

    steps = [reply, upload_photo, reopen]
    for step in steps:
        last = _activity(complaint)
        step()
        assert _activity(complaint) > last

    resolved = make_complaint(customer=customer, category=category, status=Status.RESOLVED)
    last = _activity(resolved)
    services.feedback_submit(complaint=resolved, customer=customer, rating=5)
    assert _activity(resolved) > last


def test_the_marker_is_per_staff_member_until_they_open_the_complaint(
    customer, agent, supervisor, category
):
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    agent_client, supervisor_client = client_for(agent), client_for(supervisor)
    assert _unread(agent_client, complaint) is False  # filed, nothing since

    services.comment_create(complaint=complaint, author=customer, body="Hello?")
    assert _unread(agent_client, complaint) is True
    assert _unread(supervisor_client, complaint) is True

    assert agent_client.post(seen_url(complaint)).status_code == 204
    assert _unread(agent_client, complaint) is False
    assert _unread(supervisor_client, complaint) is True  # the supervisor has not looked
    detail = agent_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert detail["has_unread_activity"] is False

    services.comment_create(complaint=complaint, author=customer, body="Hello again?")
    assert _unread(agent_client, complaint) is True
    # Staff replies are not customer activity.
    agent_client.post(seen_url(complaint))
    services.comment_create(complaint=complaint, author=agent, body="On it.")
    assert _unread(agent_client, complaint) is False


def test_customers_have_no_marker_but_see_their_last_activity(customer, customer_client, category):
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    services.comment_create(complaint=complaint, author=customer, body="Hello?")
    row = _rows(customer_client)[str(complaint.pk)]
    assert row["has_unread_activity"] is None
    assert row["last_customer_activity_at"] is not None
    detail = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert detail["has_unread_activity"] is None


def test_ordering_by_latest_customer_activity(customer, agent_client, category):
    quiet, chatty, newest = (
        make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
        for _ in range(3)
    )
    Complaint.objects.filter(pk=quiet.pk).update(
        last_customer_activity_at=timezone.now() - timedelta(days=3)
    )
    services.comment_create(complaint=chatty, author=customer, body="Still waiting.")
    response = agent_client.get(LIST, {"ordering": "-last_customer_activity_at"})
    order = [row["id"] for row in response.json()["results"]]
    assert order == [str(chatty.pk), str(newest.pk), str(quiet.pk)]
    response = agent_client.get(LIST, {"ordering": "last_customer_activity_at"})
    assert [row["id"] for row in response.json()["results"]] == order[::-1]


def test_seen_answers(customer, customer_client, agent_client, api_client, category):
    complaint = make_complaint(customer=customer, category=category)
    assert agent_client.post(seen_url(complaint)).status_code == 204
    assert agent_client.post(seen_url(complaint)).status_code == 204  # again: an update
    forbidden = customer_client.post(seen_url(complaint))
    assert forbidden.status_code == 403
    assert "detail" in forbidden.json()
    missing = agent_client.post("/api/complaints/00000000-0000-0000-0000-000000000000/seen/")
    assert missing.status_code == 404
    assert "detail" in missing.json()
    assert api_client.post(seen_url(complaint)).status_code == 401
    assert agent_client.get(seen_url(complaint)).status_code == 405


def test_seen_is_one_statement(customer, agent_client, category, django_assert_num_queries):
    complaint = make_complaint(customer=customer, category=category)
    agent_client.post(seen_url(complaint))
    with django_assert_num_queries(2):  # the auth user, the upsert
        assert agent_client.post(seen_url(complaint)).status_code == 204


@pytest.mark.parametrize("n", [1, 20])
def test_the_marked_list_stays_two_queries(customer, agent, category, django_assert_num_queries, n):
    client = client_for(agent)
    for i in range(n):
        complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
        services.comment_create(complaint=complaint, author=customer, body="Hello?")
        if i % 2:
            client.post(seen_url(complaint))
    with django_assert_num_queries(2):  # the auth user, the page with its count and the marker
        response = client.get(LIST, {"page_size": "100", "ordering": "-last_customer_activity_at"})
    rows = response.json()["results"]
    assert len(rows) == n
    assert sum(row["has_unread_activity"] for row in rows) == (n + 1) // 2
