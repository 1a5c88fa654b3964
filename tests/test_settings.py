"""The production profile: deploy checks are clean with real secrets, and it refuses to start
without them. Runs manage.py in a subprocess with a clean, prod-like environment."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.settings import PROD_ENV

BASE_DIR = Path(__file__).resolve().parent.parent

REQUIRED = [
    "SECRET_KEY",
    "JWT_PRIVATE_KEY",
    "PGCRYPTO_KEY",
    "BLIND_INDEX_KEY",
    "ATTACHMENT_MASTER_KEYS",
    "ALLOWED_HOSTS",
]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_with_all_secrets():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_security_deploy_checks_are_clean():
    """The security subset alone (independent of API-schema lint warnings)."""
    result = manage(
        "check", "--deploy", "--tag", "security", "--fail-level", "WARNING", env=PROD_ENV
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", REQUIRED)
def test_prod_refuses_to_start_without(name):
    env = {k: v for k, v in PROD_ENV.items() if k != name}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr


@pytest.mark.parametrize("name", ["PGCRYPTO_KEY", "PGCRYPTO_KEY_PREVIOUS"])
def test_prod_refuses_a_short_pgcrypto_key(name):
    result = manage("check", env={**PROD_ENV, name: "short-passphrase"})

    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


@pytest.mark.parametrize("name", ["PGCRYPTO_KEY", "BLIND_INDEX_KEY"])
def test_a_previous_key_equal_to_the_current_one_is_refused(name):
    result = manage("check", env={**PROD_ENV, f"{name}_PREVIOUS": PROD_ENV[name]})

    assert result.returncode != 0
    assert "must differ" in result.stderr


def test_a_malformed_attachment_master_key_fails_the_checks():
    result = manage("check", env={**PROD_ENV, "ATTACHMENT_MASTER_KEYS": "k1:not-32-bytes"})

    assert result.returncode != 0
    assert "complaints.E001" in result.stderr


def test_deploy_check_is_clean_during_every_rotation():
    """Old keys kept while rotating: SECRET_KEY_FALLBACKS, *_PREVIOUS, a second master key."""
    old_master = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    env = {
        **PROD_ENV,
        "SECRET_KEY_FALLBACKS": f"{secrets.token_urlsafe(64)},{secrets.token_urlsafe(64)}",
        "PGCRYPTO_KEY_PREVIOUS": secrets.token_hex(32),
        "BLIND_INDEX_KEY_PREVIOUS": secrets.token_hex(32),
        "ATTACHMENT_MASTER_KEYS": f"{PROD_ENV['ATTACHMENT_MASTER_KEYS']},k0:{old_master}",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(len(s.SECRET_KEY_FALLBACKS), s.SECRET_KEY_FALLBACKS[1][:8])"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**{k: os.environ[k] for k in ("PATH",) if k in os.environ}, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.stdout.split() == ["2", env["SECRET_KEY_FALLBACKS"].split(",")[1][:8]]


def test_prod_has_debug_off_and_secure_cookies():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**{k: os.environ[k] for k in ("PATH",) if k in os.environ}, **PROD_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True"]


def test_unknown_environment_is_refused():
    result = manage("check", env={**PROD_ENV, "DJANGO_ENV": "staging"})

    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


def test_prod_without_a_mail_host_is_warned_by_the_deploy_check():
    env = {k: v for k, v in PROD_ENV.items() if k != "EMAIL_HOST"}

    result = manage("check", "--deploy", env=env)

    assert "complaints_project.W001" in result.stdout + result.stderr
