"""/admin/login/ locks out per account and per client IP (django-axes), and only there."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.blind_index import email_blind_index
from tests.helpers.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
LOGIN = "/admin/login/?next=/admin/"


def admin_login(email: str, password: str, ip: str = "192.0.2.1", **headers):
    return Client().post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip, **headers
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(email: str, times: int, ip: str = "192.0.2.1") -> list[int]:
    return [admin_login(email, "wrong-password", ip).status_code for _ in range(times)]


def test_the_right_password_logs_in(agent):
    assert logged_in(admin_login(agent.email, DEFAULT_PASSWORD))


def test_an_account_is_locked_after_the_failure_limit(agent):
    assert fail(agent.email, LIMIT) == [200] * (LIMIT - 1) + [429]

    locked = admin_login(agent.email, DEFAULT_PASSWORD)

    assert locked.status_code == 429
    assert not logged_in(locked)


def test_the_account_lock_holds_from_any_ip(agent):
    for i in range(LIMIT):
        admin_login(agent.email, "wrong-password", ip=f"198.51.100.{i}")

    assert admin_login(agent.email, DEFAULT_PASSWORD, ip="203.0.113.50").status_code == 429


def test_an_ip_is_locked_whatever_account_it_tries(agent, supervisor):
    for i in range(LIMIT):
        admin_login(f"guess{i}@example.com", "wrong-password", ip="198.51.100.77")

    assert admin_login(supervisor.email, DEFAULT_PASSWORD, ip="198.51.100.77").status_code == 429
    assert logged_in(admin_login(supervisor.email, DEFAULT_PASSWORD, ip="198.51.100.78"))


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_rotating_forwarded_for_from_an_untrusted_peer_is_one_ip(agent):
    for i in range(LIMIT):
        admin_login(
            f"guess{i}@example.com", "x", ip="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        )

    locked = admin_login(
        agent.email, DEFAULT_PASSWORD, ip="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.99"
    )
    assert locked.status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_forwarded_client_is_locked(agent):
    for i in range(LIMIT):
        admin_login(
            f"guess{i}@example.com", "x", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.5"
        )

    assert AccessAttempt.objects.filter(ip_address="198.51.100.5").exists()
    other_client = admin_login(
        agent.email, DEFAULT_PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.6"
    )
    assert logged_in(other_client)


def test_unlock_by_email_lifts_the_account_lock(agent):
    fail(agent.email, LIMIT)

    call_command("admin_login_unlock", email=agent.email.upper())

    assert logged_in(admin_login(agent.email, DEFAULT_PASSWORD))


def test_unlock_by_ip_lifts_the_ip_lock(agent):
    for i in range(LIMIT):
        admin_login(f"guess{i}@example.com", "x", ip="198.51.100.8")

    call_command("admin_login_unlock", ip="198.51.100.8")

    assert logged_in(admin_login(agent.email, DEFAULT_PASSWORD, ip="198.51.100.8"))


def test_axes_records_hold_no_plaintext_email(agent):
    fail(agent.email, 2)
    admin_login(agent.email, DEFAULT_PASSWORD, ip="192.0.2.99")

    attempt = AccessAttempt.objects.get()
    assert attempt.username == email_blind_index(agent.email)
    stored = " ".join(
        str(value)
        for row in [*AccessAttempt.objects.values(), *AccessLog.objects.values()]
        for value in row.values()
    )
    assert agent.email not in stored
    assert agent.email.split("@")[0] not in stored
    assert "wrong-password" not in stored


def test_api_logins_neither_count_nor_lock(api_client, agent):
    for _ in range(LIMIT + 1):
        response = api_client.post(
            "/api/token/", {"email": agent.email, "password": "wrong"}, format="json"
        )
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"

    assert not AccessAttempt.objects.exists()
    assert logged_in(admin_login(agent.email, DEFAULT_PASSWORD))


def test_an_admin_lock_does_not_block_the_api(api_client, agent):
    fail(agent.email, LIMIT)

    response = api_client.post(
        "/api/token/", {"email": agent.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_logins_without_a_request_are_not_watched(agent):
    from django.contrib.auth import authenticate

    assert authenticate(username=agent.email, password=DEFAULT_PASSWORD) == agent
    assert Client().login(username=agent.email, password=DEFAULT_PASSWORD)
