"""Email preferences per notification kind: GET/PATCH /api/users/me/notification-preferences/."""

import pytest

from accounts.models import EmailOptOut
from accounts.notification_kinds import notification_kinds_for

pytestmark = pytest.mark.django_db

URL = "/api/users/me/notification-preferences/"


def _emailed(response) -> dict[str, bool]:
    return {row["kind"]: row["email"] for row in response.json()["kinds"]}


def test_every_kind_of_the_role_is_listed_and_on_by_default(customer_client, agent_client):
    customer = customer_client.get(URL)
    assert customer.status_code == 200
    assert _emailed(customer) == {
        "complaint_received": True,
        "status_changed": True,
        "resolved": True,
        "staff_comment": True,
    }
    assert all(row["description"] for row in customer.json()["kinds"])
    staff = _emailed(agent_client.get(URL))
    assert staff == {
        "staff_comment": True,
        "assigned": True,
        "customer_reply": True,
        "customer_upload": True,
        "reopened": True,
        "feedback": True,
    }


def test_patch_turns_kinds_off_and_on(customer_client, customer):
    response = customer_client.patch(URL, {"email": {"resolved": False}}, format="json")
    assert response.status_code == 200
    assert _emailed(response)["resolved"] is False
    assert _emailed(customer_client.get(URL))["resolved"] is False
    assert list(EmailOptOut.objects.filter(user=customer).values_list("kind", flat=True)) == [
        "resolved"
    ]
    # Turning it off twice keeps one row; turning it on removes it.
    customer_client.patch(URL, {"email": {"resolved": False}}, format="json")
    assert EmailOptOut.objects.filter(user=customer).count() == 1
    response = customer_client.patch(URL, {"email": {"resolved": True}}, format="json")
    assert _emailed(response)["resolved"] is True
    assert not EmailOptOut.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": {"no_such_kind": False}},
        {"email": {"customer_reply": False}},  # a staff kind: customers never receive it
        {"email": {"resolved": "maybe"}},
        {"email": {}},
        {"email": ["resolved"]},
        {},
    ],
)
def test_bad_preferences_are_400_and_change_nothing(customer_client, body):
    response = customer_client.patch(URL, body, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert not EmailOptOut.objects.exists()


def test_one_bad_kind_refuses_the_whole_request(customer_client):
    body = {"email": {"resolved": False, "no_such_kind": False}}
    assert customer_client.patch(URL, body, format="json").status_code == 400
    assert not EmailOptOut.objects.exists()


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.patch(URL, {"email": {"resolved": False}}, format="json").status_code == 401


def test_preferences_read_in_constant_queries(customer_client, django_assert_max_num_queries):
    kinds = [kind.key for kind in notification_kinds_for("customer")]
    customer_client.patch(URL, {"email": dict.fromkeys(kinds, False)}, format="json")
    with django_assert_max_num_queries(3):  # the user (JWT), the opt-outs
        assert customer_client.get(URL).status_code == 200
