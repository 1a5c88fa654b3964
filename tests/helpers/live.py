"""A real gunicorn, started from the project root (so ``gunicorn.conf.py`` applies), serving the
test database and the test Redis database; and the production profile to start it with."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

from tests.helpers.settings import PROD_ENV

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class LiveServer:
    url: str
    host: str
    port: int
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@contextmanager
def run_gunicorn(env: dict[str, str], log: Path, workers: int = 2) -> Iterator[LiveServer]:
    port = _free_port()
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    full_env = {
        **base,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(GUNICORN),
                "complaints_project.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=BASE_DIR,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/health/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield LiveServer(url=url, host="127.0.0.1", port=port, log=log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def prod_env(**overrides: str) -> dict[str, str]:
    """The production profile with throwaway secrets, reachable over plain HTTP on loopback."""
    secrets_only = {k: v for k, v in PROD_ENV.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    loopback = {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false"}
    return {**secrets_only, **loopback, **overrides}
