"""The browser session behind the front end's HttpOnly cookie."""

import pytest
from django.conf import settings

from tests.conftest import client_for

START = "/api/auth/browser-session/"
COOKIE = "/api/auth/browser-session/cookie/"
RESUME = "/api/auth/browser-session/resume/"


def open_session(api_client, user) -> str:
    ticket = client_for(user).post(START).json()["ticket"]
    response = api_client.get(COOKIE, {"ticket": ticket})
    assert response.status_code == 204
    return response.cookies[settings.BROWSER_SESSION_COOKIE_NAME]


@pytest.mark.django_db
def test_the_cookie_is_httponly_strict_and_opaque(api_client, customer):
    morsel = open_session(api_client, customer)

    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/"
    assert morsel.value.count(".") == 0  # an opaque secret, not a JWT
    assert morsel["expires"]


@pytest.mark.django_db
def test_the_secret_resumes_the_session_with_fresh_tokens(api_client, customer):
    secret = open_session(api_client, customer).value

    first = api_client.post(RESUME, {"session": secret}, format="json")
    second = api_client.post(RESUME, {"session": secret}, format="json")

    assert first.status_code == second.status_code == 200
    access = first.json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api_client.get("/api/users/me/").json()["id"] == str(customer.pk)


@pytest.mark.django_db
def test_a_ticket_opens_one_session_only(api_client, customer):
    ticket = client_for(customer).post(START).json()["ticket"]

    assert api_client.get(COOKIE, {"ticket": ticket}).status_code == 204
    again = api_client.get(COOKIE, {"ticket": ticket})
    assert (again.status_code, again.json()["code"]) == (401, "session_ended")


@pytest.mark.django_db
def test_a_cross_site_page_cannot_plant_a_session(api_client, customer):
    ticket = client_for(customer).post(START).json()["ticket"]

    response = api_client.get(COOKIE, {"ticket": ticket}, HTTP_SEC_FETCH_SITE="cross-site")

    assert response.status_code == 403
    assert settings.BROWSER_SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("ticket", ["", "nope", "x" * 101])
def test_bad_tickets_are_refused(api_client, ticket):
    response = api_client.get(COOKIE, {"ticket": ticket})

    assert response.status_code == 401


@pytest.mark.django_db
def test_logout_ends_every_session_of_the_user(api_client, customer):
    here = open_session(api_client, customer).value
    there = open_session(api_client, customer).value

    assert client_for(customer).post("/api/auth/logout/").status_code == 204

    for secret in (here, there):
        response = api_client.post(RESUME, {"session": secret}, format="json")
        assert (response.status_code, response.json()["code"]) == (401, "session_ended")


@pytest.mark.django_db
def test_forget_drops_the_cookie(api_client):
    response = api_client.get("/api/auth/browser-session/forget/")

    morsel = response.cookies[settings.BROWSER_SESSION_COOKIE_NAME]
    assert response.status_code == 204
    assert morsel.value == ""
    assert morsel["max-age"] == 0


@pytest.mark.django_db
def test_an_erased_users_session_is_dead(api_client, customer):
    secret = open_session(api_client, customer).value
    client_for(customer).delete("/api/users/me/")

    assert api_client.post(RESUME, {"session": secret}, format="json").status_code == 401
