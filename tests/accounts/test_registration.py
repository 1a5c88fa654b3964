import pytest
from django.contrib.auth.hashers import identify_hasher

from accounts.models import Role, User

URL = "/api/users/"


def body(**overrides):
    data = {
        "email": "new.person@example.com",
        "password": "Quiet-Lantern-93",
        "full_name": "New Person",
        "phone": "+441234567890",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_returns_user_without_password(api_client):
    response = api_client.post(URL, body(), format="json")

    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"id", "email", "full_name", "phone", "role", "date_joined"}
    assert data["email"] == "new.person@example.com"
    assert data["role"] == Role.CUSTOMER
    user = User.objects.get(pk=data["id"])
    assert user.full_name == "New Person"
    assert user.groups.filter(name=Role.CUSTOMER).exists()


@pytest.mark.django_db
def test_password_stored_as_argon2(api_client):
    response = api_client.post(URL, body(), format="json")
    user = User.objects.get(pk=response.json()["id"])

    assert user.password.startswith("argon2")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("Quiet-Lantern-93")


@pytest.mark.django_db
def test_phone_is_optional(api_client):
    data = body()
    del data["phone"]
    response = api_client.post(URL, data, format="json")

    assert response.status_code == 201
    assert response.json()["phone"] == ""


@pytest.mark.django_db
def test_email_is_normalised(api_client):
    response = api_client.post(URL, body(email="  Mixed.Case@Example.COM "), format="json")

    assert response.status_code == 201
    assert response.json()["email"] == "mixed.case@example.com"


@pytest.mark.django_db
def test_duplicate_email_in_other_case_is_rejected_on_email(api_client):
    assert api_client.post(URL, body(), format="json").status_code == 201

    response = api_client.post(URL, body(email="NEW.Person@EXAMPLE.com"), format="json")

    assert response.status_code == 400
    assert "email" in response.json()
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["short", "password123", "12345678901", "new.person"])
def test_weak_password_is_rejected_on_password(api_client, weak):
    response = api_client.post(URL, body(password=weak), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"password"}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_role_escalation_is_ignored(api_client):
    response = api_client.post(
        URL,
        body(role="admin", is_staff=True, is_superuser=True, is_active=False),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == Role.CUSTOMER
    user = User.objects.get(pk=response.json()["id"])
    assert (user.role, user.is_staff, user.is_superuser, user.is_active) == (
        Role.CUSTOMER,
        False,
        False,
        True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"phone": "1" * 40}, "phone"),
    ],
)
def test_invalid_fields(api_client, overrides, field):
    response = api_client.post(URL, body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_missing_fields(api_client):
    response = api_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert {"email", "password", "full_name"} <= set(response.json())


@pytest.mark.django_db
def test_registration_ignores_a_bad_bearer_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert api_client.post(URL, body(), format="json").status_code == 201
