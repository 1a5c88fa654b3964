"""The production profile: deploy checks are clean with real secrets, and it refuses to start
without them. Runs manage.py in a subprocess with a clean, prod-like environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from complaints_project.rsa_keys import new_private_key_pem

BASE_DIR = Path(__file__).resolve().parent.parent

PROD_ENV = {
    "DJANGO_ENV": "prod",
    "DJANGO_SETTINGS_MODULE": "complaints_project.settings",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "JWT_PRIVATE_KEY": new_private_key_pem(),
    "PGCRYPTO_KEY": secrets.token_hex(32),
    "BLIND_INDEX_KEY": secrets.token_hex(32),
    "ALLOWED_HOSTS": "complaints.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://complaints.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/complaints",
    "REDIS_URL": "redis://127.0.0.1:6379/2",
    "EMAIL_HOST": "smtp.example.com",
}
REQUIRED = ["SECRET_KEY", "JWT_PRIVATE_KEY", "PGCRYPTO_KEY", "BLIND_INDEX_KEY", "ALLOWED_HOSTS"]


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


def test_prod_refuses_quotes_in_pgcrypto_key():
    result = manage("check", env={**PROD_ENV, "PGCRYPTO_KEY": "it's-bad"})

    assert result.returncode != 0
    assert "PGCRYPTO_KEY" in result.stderr


def test_prod_refuses_a_short_pgcrypto_key():
    result = manage("check", env={**PROD_ENV, "PGCRYPTO_KEY": "short-passphrase"})

    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


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
