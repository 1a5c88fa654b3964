"""Email verification: the link marks the address verified once; filing needs it."""

import re

import pytest
from django.utils import timezone

from accounts.tokens import email_verification_tokens, link_token, password_reset_tokens
from tests.conftest import client_for
from tests.factories import UserFactory

VERIFY = "/api/users/verify-email/"
RESEND = "/api/users/verify-email/resend/"


@pytest.fixture
def unverified(db):
    return UserFactory(email_verified_at=None)


@pytest.mark.django_db
def test_the_emailed_link_verifies_the_address_once(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/users/",
            {"email": "v@example.com", "password": "Quiet-Lantern-93", "full_name": "Vera"},
            format="json",
        )
    token = re.search(r"verify_email\?token=([\w.\-]+)", mailoutbox[0].body).group(1)

    first = api_client.post(VERIFY, {"token": token}, format="json")
    again = api_client.post(VERIFY, {"token": token}, format="json")

    assert first.status_code == 200
    assert first.json()["email_verified"] is True
    assert (again.status_code, again.json()["code"]) == (400, "token_invalid")


@pytest.mark.django_db
def test_an_expired_verification_link_is_refused(api_client, unverified, settings, monkeypatch):
    token = link_token(generator=email_verification_tokens, user=unverified)
    later = timezone.now().replace(tzinfo=None) + timezone.timedelta(
        seconds=settings.EMAIL_VERIFICATION_TIMEOUT + 5
    )
    monkeypatch.setattr(email_verification_tokens, "_now", lambda: later)

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "token_expired")
    unverified.refresh_from_db()
    assert not unverified.email_verified


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "x", "a.b", "a.b.c", "." * 300])
def test_malformed_verification_tokens_are_a_400(api_client, token):
    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_reset_token_does_not_verify(api_client, unverified):
    token = link_token(generator=password_reset_tokens, user=unverified)

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "token_invalid")


@pytest.mark.django_db
def test_resend_mails_only_unverified_accounts(
    unverified, customer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(unverified).post(RESEND).status_code == 202
        assert client_for(customer).post(RESEND).status_code == 202

    assert [m.to for m in mailoutbox] == [[unverified.email]]


@pytest.mark.django_db
def test_resend_is_throttled(unverified, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "verification_resend": "1/hour",
        },
    }
    client = client_for(unverified)

    assert [client.post(RESEND).status_code for _ in range(2)] == [202, 429]


@pytest.mark.django_db
def test_an_unverified_customer_may_read_but_not_file(unverified, category):
    client = client_for(unverified)

    assert client.get("/api/complaints/").status_code == 200
    assert client.get("/api/users/me/").json()["email_verified"] is False
    response = client.post(
        "/api/complaints/",
        {"category": category.pk, "title": "T", "description": "D"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert "confirm your email" in response.json()["detail"]


@pytest.mark.django_db
def test_staff_may_file_for_an_unverified_customer(agent, unverified, category):
    response = client_for(agent).post(
        "/api/complaints/",
        {
            "category": category.pk,
            "title": "By phone",
            "description": "Called in",
            "customer_id": str(unverified.pk),
        },
        format="json",
    )

    assert response.status_code == 201
