"""Self-service sign-up: a new customer, unverified, and no oracle for registered emails."""

import pytest
from django.contrib.auth.hashers import identify_hasher

from accounts.blind_index import email_blind_index
from accounts.models import Role, User
from tests.factories import UserFactory

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


def registered(email: str = "new.person@example.com") -> User:
    return User.objects.get(email_hash=email_blind_index(email))


@pytest.mark.django_db
def test_register_creates_an_unverified_customer_and_emails_a_link(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, body(), format="json")

    assert response.status_code == 202
    assert set(response.json()) == {"detail"}
    user = registered()
    assert (user.full_name, user.role, user.email_verified) == ("New Person", Role.CUSTOMER, False)
    assert user.groups.filter(name=Role.CUSTOMER).exists()
    assert [m.to for m in mailoutbox] == [["new.person@example.com"]]
    message = mailoutbox[0]
    assert "http://127.0.0.1:8501/verify_email?token=" in message.body
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_an_existing_email_gets_the_same_answer_and_its_owner_is_told(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="taken@example.com", full_name="Real Owner")
    with django_capture_on_commit_callbacks(execute=True):
        new = api_client.post(URL, body(email="fresh@example.com"), format="json")
    assert [m.to for m in mailoutbox] == [["fresh@example.com"]]
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        taken = api_client.post(
            URL, body(email=" TAKEN@example.com", full_name="Impostor"), format="json"
        )

    assert (taken.status_code, taken.json()) == (new.status_code, new.json())
    assert User.objects.filter(email_hash=owner.email_hash).count() == 1
    owner.refresh_from_db()
    assert owner.full_name == "Real Owner"
    assert not owner.check_password("Quiet-Lantern-93")
    assert [m.to for m in mailoutbox] == [["taken@example.com"]]
    assert "tried to sign up" in mailoutbox[0].subject
    assert "forgot_password" in mailoutbox[0].body


@pytest.mark.django_db
def test_the_password_rules_apply_to_both_paths_alike(api_client):
    UserFactory(email="taken@example.com")

    new = api_client.post(URL, body(email="fresh@example.com", password="short"), format="json")
    taken = api_client.post(URL, body(email="taken@example.com", password="short"), format="json")

    assert new.status_code == taken.status_code == 400
    assert new.json() == taken.json()


@pytest.mark.django_db
def test_password_stored_as_argon2(api_client):
    api_client.post(URL, body(), format="json")
    user = registered()

    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("Quiet-Lantern-93")


@pytest.mark.django_db
def test_phone_is_optional(api_client):
    data = body()
    del data["phone"]

    assert api_client.post(URL, data, format="json").status_code == 202
    assert registered().phone == ""


@pytest.mark.django_db
def test_phone_is_stored_in_e164(api_client, settings):
    settings.PHONE_DEFAULT_REGION = "GB"

    assert api_client.post(URL, body(phone="020 7946 0958"), format="json").status_code == 202
    assert registered().phone == "+442079460958"


@pytest.mark.django_db
def test_email_is_normalised(api_client):
    assert (
        api_client.post(URL, body(email="  Mixed.Case@Example.COM "), format="json").status_code
        == 202
    )
    assert registered("mixed.case@example.com").email == "mixed.case@example.com"


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

    assert response.status_code == 202
    user = registered()
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
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "+44 1"}, "phone"),
    ],
)
def test_invalid_fields(api_client, overrides, field):
    response = api_client.post(URL, body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_missing_fields(api_client):
    response = api_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert {"email", "password", "full_name"} <= set(response.json())


@pytest.mark.django_db
def test_registration_ignores_a_bad_bearer_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert api_client.post(URL, body(), format="json").status_code == 202
