"""Password reset by email: one answer for every address, single-use expiring links."""

import re

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import BrowserSession
from accounts.services import browser_session_bind, browser_session_start
from accounts.tokens import email_verification_tokens, link_token, password_reset_tokens
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, UserFactory

REQUEST = "/api/users/password-reset/"
CONFIRM = "/api/users/password-reset/confirm/"
NEW_PASSWORD = "Brand-New-Lantern-77"


def emailed_token(message) -> str:
    return re.search(r"reset_password\?token=([\w.\-]+)", message.body).group(1)


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(
    api_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post(REQUEST, {"email": customer.email.upper()}, format="json")
        unknown = api_client.post(REQUEST, {"email": "nobody@example.com"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "http://127.0.0.1:8501/reset_password?token=" in mailoutbox[0].body


@pytest.mark.django_db
def test_inactive_accounts_get_no_email(api_client, mailoutbox, django_capture_on_commit_callbacks):
    gone = UserFactory(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REQUEST, {"email": gone.email}, format="json")
    assert response.status_code == 202
    assert mailoutbox == []


@pytest.mark.django_db
def test_reset_sets_the_password_and_ends_every_session(
    api_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    refresh = RefreshToken.for_user(customer)
    old_access = client_for(customer)
    secret, _ = browser_session_bind(ticket=browser_session_start(user=customer))
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(REQUEST, {"email": customer.email}, format="json")

    response = api_client.post(
        CONFIRM,
        {"token": emailed_token(mailoutbox[0]), "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 204
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert old_access.get("/api/users/me/").status_code == 401
    assert (
        api_client.post("/api/token/refresh/", {"refresh": str(refresh)}, format="json").status_code
        == 401
    )
    resumed = api_client.post(
        "/api/auth/browser-session/resume/", {"session": secret}, format="json"
    )
    assert (resumed.status_code, resumed.json()["code"]) == (401, "session_ended")
    assert BrowserSession.objects.filter(user=customer, revoked_at__isnull=True).count() == 0
    login = api_client.post(
        "/api/token/", {"email": customer.email, "password": NEW_PASSWORD}, format="json"
    )
    assert login.status_code == 200


@pytest.mark.django_db
def test_a_reset_link_works_once(api_client, customer):
    token = link_token(generator=password_reset_tokens, user=customer)
    first = api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    again = api_client.post(
        CONFIRM, {"token": token, "new_password": "Another-Lantern-88"}, format="json"
    )

    assert first.status_code == 204
    assert again.status_code == 400
    assert again.json()["code"] == "token_invalid"


@pytest.mark.django_db
def test_an_expired_link_is_refused(api_client, customer, settings, monkeypatch):
    token = link_token(generator=password_reset_tokens, user=customer)
    later = timezone.now().replace(tzinfo=None) + timezone.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 5
    )
    monkeypatch.setattr(password_reset_tokens, "_now", lambda: later)

    response = api_client.post(
        CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "token_expired")
    customer.refresh_from_db()
    assert customer.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_bad_tokens_are_a_400_with_a_stable_code(api_client, customer, other_customer):
    mine = link_token(generator=password_reset_tokens, user=customer)
    uid, raw = mine.split(".")
    theirs_uid = link_token(generator=password_reset_tokens, user=other_customer).split(".")[0]
    verification = link_token(generator=email_verification_tokens, user=customer)
    bad = [
        f"{theirs_uid}.{raw}",  # the token of one account with the id of another
        verification,  # a token of the other kind
        f"{uid}.{raw[:-1]}x",
        f"{uid}.zzzzzzzzzzzzzz-abc",
        "nonsense",
        "a.b.c",
        "%%%.123-abc",
        "AAAA.123-abc",
        f"{uid}.-",
        "\u00e9\u00e9.1-1",
    ]
    for token in bad:
        response = api_client.post(
            CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json"
        )
        assert response.status_code == 400, token
        assert response.json()["code"] == "token_invalid", token


@pytest.mark.django_db
def test_the_new_password_must_pass_the_validators(api_client, customer):
    token = link_token(generator=password_reset_tokens, user=customer)

    response = api_client.post(CONFIRM, {"token": token, "new_password": "123"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"new_password"}
    customer.refresh_from_db()
    assert customer.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_reset_counts_as_verifying_the_address(api_client):
    user = UserFactory(email_verified_at=None)
    token = link_token(generator=password_reset_tokens, user=user)

    api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    user.refresh_from_db()
    assert user.email_verified


@pytest.mark.django_db
def test_reset_requests_are_throttled_per_email_and_per_ip(api_client, customer, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_reset_email": "2/hour"},
    }
    codes = [
        api_client.post(
            REQUEST, {"email": customer.email}, format="json", REMOTE_ADDR=f"10.1.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 429]

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_reset_ip": "2/hour"},
    }
    codes = [
        api_client.post(REQUEST, {"email": f"p{i}@example.com"}, format="json").status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 429]
