"""Throttles run against the real Redis cache configured in settings (django-redis)."""

from typing import cast

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from accounts.blind_index import email_blind_index
from tests.helpers.factories import DEFAULT_PASSWORD


def rates(**overrides):
    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
            **overrides,
        },
    }


def cache_keys() -> list[str]:
    raw = get_redis_connection("default")  # the underlying redis-py client
    return [key.decode() for key in raw.scan_iter("*")]


def test_cache_is_redis():
    assert isinstance(caches["default"], RedisCache)
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


@pytest.mark.django_db
def test_login_per_email_throttle_returns_429_with_retry_after(api_client, customer):
    with override_settings(REST_FRAMEWORK=rates(login_email="2/min")):
        for _ in range(2):
            response = api_client.post(
                "/api/token/", {"email": customer.email, "password": "wrong-pass"}, format="json"
            )
            assert response.status_code == 401
        # Same account in another case, from another IP: still the same email bucket.
        response = api_client.post(
            "/api/token/",
            {"email": customer.email.upper(), "password": DEFAULT_PASSWORD},
            format="json",
            REMOTE_ADDR="10.9.8.7",
        )

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "detail" in response.json()


@pytest.mark.django_db
def test_login_email_throttle_keys_on_blind_index_not_raw_email(api_client, customer):
    api_client.post("/api/token/", {"email": customer.email, "password": "x"}, format="json")

    keys = cache_keys()
    assert any(email_blind_index(customer.email) in key for key in keys)
    assert not any(customer.email.split("@")[0] in key for key in keys)


@pytest.mark.django_db
def test_login_per_ip_throttle(api_client):
    with override_settings(REST_FRAMEWORK=rates(login_ip="3/min")):
        codes = [
            api_client.post(
                "/api/token/", {"email": f"u{i}@example.com", "password": "x"}, format="json"
            ).status_code
            for i in range(4)
        ]
        other_ip = api_client.post(
            "/api/token/",
            {"email": "u9@example.com", "password": "x"},
            format="json",
            REMOTE_ADDR="10.1.1.1",
        )

    assert codes == [401, 401, 401, 429]
    assert other_ip.status_code == 401


@pytest.mark.django_db
def test_register_per_email_throttle(api_client):
    body = {"email": "dup@example.com", "password": "Quiet-Lantern-93", "full_name": "D"}
    with override_settings(REST_FRAMEWORK=rates(register_email="2/hour")):
        codes = [
            api_client.post(
                "/api/users/", body, format="json", REMOTE_ADDR=f"10.0.0.{i}"
            ).status_code
            for i in range(3)
        ]
        response = api_client.post(
            "/api/users/", {**body, "email": "DUP@example.com"}, format="json"
        )

    assert codes == [202, 202, 429]
    assert response.status_code == 429
    assert "Retry-After" in response.headers


@pytest.mark.django_db
def test_register_per_ip_throttle(api_client):
    with override_settings(REST_FRAMEWORK=rates(register_ip="2/hour")):
        codes = [
            api_client.post(
                "/api/users/",
                {"email": f"ip{i}@example.com", "password": "Quiet-Lantern-93", "full_name": "I"},
                format="json",
            ).status_code
            for i in range(3)
        ]

    assert codes == [202, 202, 429]


@pytest.mark.django_db
def test_default_rates_allow_normal_use(api_client, customer):
    for _ in range(3):
        response = api_client.post(
            "/api/token/", {"email": customer.email, "password": DEFAULT_PASSWORD}, format="json"
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_throttle_fails_closed_when_redis_is_down(api_client, customer):
    broken = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=broken):
        response = api_client.post(
            "/api/token/", {"email": customer.email, "password": DEFAULT_PASSWORD}, format="json"
        )

    assert response.status_code == 503
    assert "detail" in response.json()


@pytest.mark.django_db
def test_a_malformed_email_is_not_hashed_but_the_ip_throttle_still_counts(api_client):
    with override_settings(REST_FRAMEWORK=rates(login_ip="2/min", login_email="1/min")):
        codes = [
            api_client.post(
                "/api/token/", {"email": "not an email", "password": "x"}, format="json"
            ).status_code
            for _ in range(3)
        ]

    assert codes == [401, 401, 429]
    assert not any("login_email" in key for key in cache_keys())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/token/refresh/", "/api/token/verify/", "/api/token/blacklist/"]
)
def test_token_endpoints_are_throttled_per_ip(api_client, path):
    field = "token" if path.endswith("verify/") else "refresh"
    with override_settings(REST_FRAMEWORK=rates(token_ip="3/min")):
        codes = [
            api_client.post(path, {field: "not.a.token"}, format="json").status_code
            for _ in range(4)
        ]
        other_ip = api_client.post(path, {field: "x"}, format="json", REMOTE_ADDR="10.3.3.3")

    assert codes == [401, 401, 401, 429]
    assert other_ip.status_code == 401


@pytest.mark.django_db
def test_refresh_verify_and_blacklist_share_one_budget(api_client):
    with override_settings(REST_FRAMEWORK=rates(token_ip="2/min")):
        api_client.post("/api/token/refresh/", {"refresh": "x"}, format="json")
        api_client.post("/api/token/verify/", {"token": "x"}, format="json")
        response = api_client.post("/api/token/blacklist/", {"refresh": "x"}, format="json")

    assert response.status_code == 429
