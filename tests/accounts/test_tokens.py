import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.helpers.factories import DEFAULT_PASSWORD, UserFactory

TOKEN = "/api/token/"
REFRESH = "/api/token/refresh/"
VERIFY = "/api/token/verify/"
BLACKLIST = "/api/token/blacklist/"
ME = "/api/users/me/"


def login(client, email, password=DEFAULT_PASSWORD):
    return client.post(TOKEN, {"email": email, "password": password}, format="json")


@pytest.mark.django_db
def test_login_returns_token_pair_with_role(api_client, agent):
    response = login(api_client, agent.email)

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"access", "refresh"}
    access = AccessToken(data["access"])
    assert access["role"] == "agent"
    assert access["user_id"] == str(agent.pk)

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {data['access']}")
    assert api_client.get(ME).json()["id"] == str(agent.pk)


@pytest.mark.django_db
def test_login_is_case_insensitive_on_email(api_client, customer):
    response = login(api_client, f"  {customer.email.upper()} ")

    assert response.status_code == 200


@pytest.mark.django_db
def test_unknown_email_and_wrong_password_answer_identically(api_client, customer):
    wrong_password = login(api_client, customer.email, "Not-The-Password-1")
    unknown_email = login(api_client, "nobody@example.com")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.headers.get("WWW-Authenticate") == unknown_email.headers.get(
        "WWW-Authenticate"
    )


@pytest.mark.django_db
def test_inactive_user_gets_no_token(api_client):
    user = UserFactory.create(is_active=False)
    unknown = login(api_client, "nobody@example.com")

    response = login(api_client, user.email)

    assert response.status_code == 401
    assert "access" not in response.json()
    assert response.json() == unknown.json()


@pytest.mark.django_db
def test_login_updates_last_login(api_client, customer):
    assert customer.last_login is None
    login(api_client, customer.email)
    customer.refresh_from_db()
    assert customer.last_login is not None


@pytest.mark.django_db
def test_refresh_rotates_and_old_refresh_is_rejected(api_client, customer):
    first = login(api_client, customer.email).json()

    rotated = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first["refresh"]
    assert AccessToken(rotated.json()["access"])["role"] == "customer"

    reuse = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert reuse.status_code == 401

    again = api_client.post(REFRESH, {"refresh": rotated.json()["refresh"]}, format="json")
    assert again.status_code == 200


@pytest.mark.django_db
def test_refresh_with_garbage_is_401(api_client):
    response = api_client.post(REFRESH, {"refresh": "garbage"}, format="json")

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_verify(api_client, customer):
    tokens = login(api_client, customer.email).json()

    assert api_client.post(VERIFY, {"token": tokens["access"]}, format="json").status_code == 200
    assert api_client.post(VERIFY, {"token": "x.y.z"}, format="json").status_code == 401


@pytest.mark.django_db
def test_logout_blacklists_refresh(api_client, customer):
    tokens = login(api_client, customer.email).json()

    response = api_client.post(BLACKLIST, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200

    refresh = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refresh.status_code == 401


@pytest.mark.django_db
def test_refresh_for_deactivated_user_is_rejected(api_client, customer):
    tokens = login(api_client, customer.email).json()
    customer.is_active = False
    customer.save()

    response = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401


@pytest.mark.django_db
def test_refresh_for_deleted_user_is_401_not_500(api_client):
    user = UserFactory.create()
    tokens = login(api_client, user.email).json()
    user.delete()  # the admin may delete an account outright
    api_client.raise_request_exception = False

    response = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token."}
