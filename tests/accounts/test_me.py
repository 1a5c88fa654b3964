import pytest
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import Role
from tests.helpers.api import client_for
from tests.helpers.factories import DEFAULT_PASSWORD

ME = "/api/users/me/"
PASSWORD = "/api/users/me/password/"


@pytest.mark.django_db
def test_me_requires_authentication(api_client):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_me_returns_the_caller(customer_client, customer, django_assert_max_num_queries):
    # The auth user (no personal columns), then email, name and phone together.
    with django_assert_max_num_queries(2):
        response = customer_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(customer.pk),
        "email": customer.email,
        "email_verified": True,
        "full_name": customer.full_name,
        "phone": customer.phone,
        "role": Role.CUSTOMER,
        "time_zone": "",
        "date_joined": response.json()["date_joined"],
    }


@pytest.mark.django_db
def test_patch_updates_name_and_phone_only(customer_client, customer):
    original_email = customer.email
    response = customer_client.patch(
        ME,
        {
            "full_name": "Renamed Person",
            "phone": "",
            "email": "hijack@example.com",
            "role": "admin",
            "is_active": False,
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["full_name"] == "Renamed Person"
    assert response.json()["phone"] == ""
    customer.refresh_from_db()
    assert (customer.full_name, customer.phone) == ("Renamed Person", "")
    assert (customer.email, customer.role, customer.is_active) == (
        original_email,
        Role.CUSTOMER,
        True,
    )


@pytest.mark.django_db
def test_patch_partial_keeps_other_field(customer_client, customer):
    phone = customer.phone
    response = customer_client.patch(ME, {"full_name": "Only Name"}, format="json")

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.phone == phone


@pytest.mark.django_db
def test_patch_rejects_blank_name(customer_client):
    response = customer_client.patch(ME, {"full_name": ""}, format="json")

    assert response.status_code == 400
    assert "full_name" in response.json()


@pytest.mark.django_db
def test_put_is_not_allowed(customer_client):
    response = customer_client.put(ME, {"full_name": "X"}, format="json")

    assert response.status_code == 405
    assert "detail" in response.json()


@pytest.mark.django_db
def test_change_password_revokes_refresh_tokens(api_client, customer):
    tokens = [
        api_client.post(
            "/api/token/", {"email": customer.email, "password": DEFAULT_PASSWORD}, format="json"
        ).json()
        for _ in range(2)
    ]
    client = client_for(customer)

    response = client.post(
        PASSWORD,
        {"old_password": DEFAULT_PASSWORD, "new_password": "Fresh-Meadow-8841"},
        format="json",
    )

    assert response.status_code == 204
    customer.refresh_from_db()
    assert customer.check_password("Fresh-Meadow-8841")
    for pair in tokens:
        refresh = api_client.post(
            "/api/token/refresh/", {"refresh": pair["refresh"]}, format="json"
        )
        assert refresh.status_code == 401
    assert not OutstandingToken.objects.filter(
        user=customer, blacklistedtoken__isnull=True
    ).exists()
    old_login = api_client.post(
        "/api/token/", {"email": customer.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert old_login.status_code == 401


@pytest.mark.django_db
def test_change_password_revokes_access_tokens_too(api_client, customer):
    pair = api_client.post(
        "/api/token/", {"email": customer.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api_client.get("/api/users/me/").status_code == 200

    response = api_client.post(
        PASSWORD,
        {"old_password": DEFAULT_PASSWORD, "new_password": "Fresh-Meadow-8841"},
        format="json",
    )

    assert response.status_code == 204
    stale = api_client.get("/api/users/me/")
    assert stale.status_code == 401
    assert stale.json()["code"] == "password_changed"


@pytest.mark.django_db
def test_change_password_wrong_old_password(customer_client, customer):
    response = customer_client.post(
        PASSWORD,
        {"old_password": "Wrong-Password-1", "new_password": "Fresh-Meadow-8841"},
        format="json",
    )

    assert response.status_code == 400
    assert "old_password" in response.json()
    customer.refresh_from_db()
    assert customer.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_change_password_weak_new_password(customer_client):
    response = customer_client.post(
        PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": "123"}, format="json"
    )

    assert response.status_code == 400
    assert "new_password" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("020 7946 0958", "+442079460958"), ("+49 30 901820", "+4930901820"), ("", "")],
)
def test_phone_is_normalised_to_e164(customer_client, customer, typed, stored):
    response = customer_client.patch(ME, {"phone": typed}, format="json")

    assert response.status_code == 200
    assert response.json()["phone"] == stored


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["call me maybe", "+44 1", "12", "+999 123456"])
def test_a_phone_that_is_no_number_is_refused(customer_client, customer, typed):
    response = customer_client.patch(ME, {"phone": typed}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"phone"}


@pytest.mark.django_db
def test_time_zone_preference(customer_client):
    saved = customer_client.patch(ME, {"time_zone": "Europe/Berlin"}, format="json")
    cleared = customer_client.patch(ME, {"time_zone": ""}, format="json")

    assert saved.status_code == cleared.status_code == 200
    assert saved.json()["time_zone"] == "Europe/Berlin"
    assert cleared.json()["time_zone"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/berlin", "../etc/passwd", "UTC+1"])
def test_unknown_time_zones_are_refused(customer_client, zone):
    response = customer_client.patch(ME, {"time_zone": zone}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"time_zone"}
