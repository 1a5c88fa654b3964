import threading

import pytest
from django.db import connection

from accounts.models import Role
from complaints.models import Complaint, IdempotencyKey
from tests.helpers.api import client_for
from tests.helpers.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _body(category, **extra):
    return {"category": category.pk, "title": "Lost parcel", "description": "Never came", **extra}


def test_same_key_twice_creates_one_complaint(customer_client, category):
    first = customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    second = customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_same_key_different_body_is_409(customer_client, category):
    customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    response = customer_client.post(
        "/api/complaints/",
        _body(category, title="Another"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-2",
    )
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Complaint.objects.count() == 1


def test_keys_are_per_user(customer_client, other_customer_client, category):
    a = customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    b = other_customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert Complaint.objects.count() == 2


def test_without_key_each_post_creates(customer_client, category):
    customer_client.post("/api/complaints/", _body(category), format="json")
    customer_client.post("/api/complaints/", _body(category), format="json")
    assert Complaint.objects.count() == 2


def test_overlong_key_is_400(customer_client, category):
    response = customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_invalid_body_does_not_burn_the_key(customer_client, category):
    bad = customer_client.post(
        "/api/complaints/", {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-me"
    )
    assert bad.status_code == 400
    good = customer_client.post(
        "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="retry-me"
    )
    assert good.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_complaint():
    customer = UserFactory.create(role=Role.CUSTOMER)
    category = CategoryFactory.create()
    barrier = threading.Barrier(6)
    results: list[tuple[int, str]] = []

    def worker():
        try:
            client = client_for(customer)
            barrier.wait()
            response = client.post(
                "/api/complaints/", _body(category), format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            results.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [code for code, _ in results] == [201] * 6
    assert len({cid for _, cid in results}) == 1
    assert Complaint.objects.count() == 1
