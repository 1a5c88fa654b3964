"""Comments honour Idempotency-Key: a double click or a resend posts once."""

import pytest

from complaints.models import Comment, HistoryEntry, HistoryKind
from complaints.services import complaint_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(customer, category):
    return complaint_create(customer=customer, category=category, title="T", description="D")


def url(complaint) -> str:
    return f"/api/complaints/{complaint.pk}/comments/"


def test_the_same_key_twice_posts_one_comment(customer_client, complaint):
    first = customer_client.post(
        url(complaint), {"body": "Any news?"}, format="json", HTTP_IDEMPOTENCY_KEY="draft-1"
    )
    second = customer_client.post(
        url(complaint), {"body": "Any news?"}, format="json", HTTP_IDEMPOTENCY_KEY="draft-1"
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Comment.objects.filter(complaint=complaint).count() == 1
    assert (
        HistoryEntry.objects.filter(complaint=complaint, kind=HistoryKind.COMMENT_ADDED).count()
        == 1
    )


def test_the_same_key_with_another_body_is_409(customer_client, complaint):
    customer_client.post(
        url(complaint), {"body": "One"}, format="json", HTTP_IDEMPOTENCY_KEY="draft-2"
    )

    response = customer_client.post(
        url(complaint), {"body": "Two"}, format="json", HTTP_IDEMPOTENCY_KEY="draft-2"
    )

    assert response.status_code == 409
    assert Comment.objects.filter(complaint=complaint).count() == 1


def test_switching_a_draft_to_internal_needs_a_new_key(agent, complaint):
    client = client_for(agent)
    client.post(
        url(complaint),
        {"body": "Note", "internal": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="draft-3",
    )

    public = client.post(
        url(complaint),
        {"body": "Note", "internal": False},
        format="json",
        HTTP_IDEMPOTENCY_KEY="draft-3",
    )

    assert public.status_code == 409
    assert list(Comment.objects.values_list("is_internal", flat=True)) == [True]


def test_a_complaint_key_is_not_a_comment_key(customer_client, category, complaint):
    customer_client.post(
        "/api/complaints/",
        {"category": category.pk, "title": "New", "description": "D"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )

    response = customer_client.post(
        url(complaint), {"body": "Hi"}, format="json", HTTP_IDEMPOTENCY_KEY="shared-key"
    )

    assert response.status_code == 409


def test_another_customers_complaint_stays_404_with_a_key(other_customer_client, complaint):
    response = other_customer_client.post(
        url(complaint), {"body": "Hi"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("key", ["", " ", "k" * 256])
def test_bad_keys_are_400(customer_client, complaint, key):
    response = customer_client.post(
        url(complaint), {"body": "Hi"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
