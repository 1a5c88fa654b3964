"""Key rotation under load: switch keys the way a restart would, and keep API reads going.

Keys reach PostgreSQL when a connection opens (complaints_project/postgresql/base.py), so a
switch closes this thread's connections; the live server opens one per request.
"""

import threading
from collections.abc import Callable

import httpx
from django.db import connections
from django.test import override_settings
from rest_framework_simplejwt.tokens import RefreshToken


class KeySwitch:
    """``switch(PGCRYPTO_KEY=..., ...)``: as if every process restarted with these settings."""

    def __init__(self):
        self._active: override_settings | None = None

    def __call__(self, **settings) -> None:
        self.reset()
        self._active = override_settings(**settings)
        self._active.enable()
        connections.close_all()

    def reset(self) -> None:
        if self._active is not None:
            self._active.disable()
            self._active = None
        connections.close_all()


class BackgroundReads:
    """Calls ``read`` again and again in a thread until the block ends; records what failed.

    ``step()`` waits until one more read has completed: a rotation calls it after each batch,
    so reads provably run between batches, against a half-rotated database.
    """

    def __init__(self, read: Callable[[], None]):
        self._read = read
        self.completed = 0
        self.failures: list[str] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read()
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                self.failures.append(repr(exc))
            with self._changed:
                self.completed += 1
                self._changed.notify_all()

    def step(self) -> None:
        with self._changed:
            target = self.completed + 1
            # The timeout only keeps a broken reader from hanging the suite.
            self._changed.wait_for(lambda: self.completed >= target, timeout=60)

    def __enter__(self) -> "BackgroundReads":
        self._thread.start()
        self.step()
        return self

    def __exit__(self, *exc_info) -> None:
        self.step()
        self._stop.set()
        self._thread.join(timeout=60)


def api_for(live_server, user) -> httpx.Client:
    token = RefreshToken.for_user(user).access_token
    return httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def expect_ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, (response.request.url, response.text[:300])
    return response.json()
