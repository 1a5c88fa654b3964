"""With the production settings and gunicorn reached directly, a rotating X-Forwarded-For does
not buy a fresh login budget; behind a proxy listed in TRUSTED_PROXIES, clients are apart."""

import httpx
import pytest

from tests.helpers.live import prod_env, run_gunicorn

pytestmark = pytest.mark.django_db

LOGIN_IP_RATE = 5


def login_attempts(server, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return [
            client.post(
                "/api/token/",
                json={"email": f"nobody{i}@example.com", "password": "wrong"},
                headers={"X-Forwarded-For": address},
            ).status_code
            for i, address in enumerate(forwarded_for)
        ]


def test_rotating_forwarded_for_from_an_untrusted_peer_is_throttled(tmp_path):
    env = prod_env(THROTTLE_LOGIN_IP=f"{LOGIN_IP_RATE}/min")
    with run_gunicorn(env, tmp_path / "prod.log", workers=1) as server:
        codes = login_attempts(server, [f"198.51.100.{i}" for i in range(LOGIN_IP_RATE + 3)])

    assert codes == [401] * LOGIN_IP_RATE + [429] * 3


def test_clients_behind_a_trusted_proxy_are_throttled_apart(tmp_path):
    # The test talks to gunicorn from 127.0.0.1: here, that is the trusted proxy.
    env = prod_env(THROTTLE_LOGIN_IP=f"{LOGIN_IP_RATE}/min", TRUSTED_PROXIES="127.0.0.1/32")
    with run_gunicorn(env, tmp_path / "prod.log", workers=1) as server:
        one_client = login_attempts(server, ["198.51.100.7"] * (LOGIN_IP_RATE + 1))
        rotating = login_attempts(server, [f"198.51.100.{i}" for i in range(20, 28)])

    assert one_client == [401] * LOGIN_IP_RATE + [429]
    assert rotating == [401] * 8
