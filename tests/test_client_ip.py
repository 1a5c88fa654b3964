"""The client IP comes from X-Forwarded-For only when a trusted proxy sent the request."""

import ipaddress
from typing import cast

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from complaints_project.client_ip import TrustedProxyMiddleware, parse_networks, resolve_client_ip

PROXIES = parse_networks(("10.0.0.0/8", "fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client", "from_proxy"),
    [
        # An untrusted peer is the client, whatever it claims.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9", False),
        ("203.0.113.9", "", "203.0.113.9", False),
        # A trusted proxy vouches for the address it appended (the rightmost).
        ("10.0.0.2", "198.51.100.1", "198.51.100.1", True),
        # What the client wrote to the left of it proves nothing.
        ("10.0.0.2", "1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1", True),
        # Trusted hops are skipped: proxy chain 10.0.0.5 -> 10.0.0.2.
        ("10.0.0.2", "198.51.100.1, 10.0.0.5", "198.51.100.1", True),
        # Garbage stops the walk at the last address a proxy vouched for.
        ("10.0.0.2", "198.51.100.1, not-an-ip", "10.0.0.2", True),
        ("10.0.0.2", "garbage, 198.51.100.1", "198.51.100.1", True),
        # A proxy without the header: the proxy itself.
        ("10.0.0.2", "", "10.0.0.2", True),
        ("fd00::1", "2001:db8::7", "2001:db8::7", True),
        ("not-an-ip", "198.51.100.1", "not-an-ip", False),
    ],
)
def test_resolve_client_ip(peer, forwarded_for, client, from_proxy):
    assert resolve_client_ip(peer=peer, forwarded_for=forwarded_for, trusted=PROXIES) == (
        client,
        from_proxy,
    )


def test_nothing_is_trusted_by_default():
    assert settings.TRUSTED_PROXIES == []


def test_a_malformed_cidr_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_networks(("10.0.0.0/33",))


def test_single_addresses_are_networks_of_one():
    assert parse_networks(("127.0.0.1",)) == (ipaddress.ip_network("127.0.0.1/32"),)


def _seen_by_the_view(**meta):
    seen = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
    return seen


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_middleware_rewrites_remote_addr_behind_a_trusted_proxy():
    seen = _seen_by_the_view(
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1", HTTP_X_FORWARDED_PROTO="https"
    )

    assert seen["REMOTE_ADDR"] == "198.51.100.1"
    assert seen["PEER_ADDR"] == "10.0.0.2"
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_middleware_drops_forwarded_headers_from_anyone_else():
    seen = _seen_by_the_view(
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_FORWARDED="for=198.51.100.1;proto=https",
    )

    assert seen["REMOTE_ADDR"] == "203.0.113.9"
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED"):
        assert header not in seen


def _rates(**overrides):
    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
            **overrides,
        },
    }


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"], REST_FRAMEWORK=_rates(login_ip="3/min"))
def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_escape_the_login_throttle(
    api_client,
):
    codes = [
        api_client.post(
            "/api/token/",
            {"email": f"u{i}@example.com", "password": "x"},
            format="json",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(5)
    ]

    assert codes == [401, 401, 401, 429, 429]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"], REST_FRAMEWORK=_rates(login_ip="3/min"))
def test_behind_a_trusted_proxy_each_client_has_its_own_budget(api_client):
    def attempt(client_ip: str) -> int:
        return api_client.post(
            "/api/token/",
            {"email": "someone@example.com", "password": "x"},
            format="json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_ip}",
        ).status_code

    assert [attempt("198.51.100.1") for _ in range(4)] == [401, 401, 401, 429]
    assert attempt("198.51.100.2") == 401
