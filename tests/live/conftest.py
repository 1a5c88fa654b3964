"""A real gunicorn, started from the project root (so ``gunicorn.conf.py`` applies), serving the
test database and the test Redis database."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.helpers.live import LiveServer, run_gunicorn


@pytest.fixture(scope="session")
def gunicorn_test_server(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[LiveServer]:
    """gunicorn with the test settings (cheap password hashing) and generous rates: the
    throttles have their own tests, and fuzzing must reach the views behind them."""
    rates = {
        f"THROTTLE_{scope}": "100000/min"
        for scope in ("LOGIN_IP", "LOGIN_EMAIL", "REGISTER_IP", "REGISTER_EMAIL", "TOKEN_IP")
    }
    env = {"DJANGO_SETTINGS_MODULE": "complaints_project.settings_test", **rates}
    with run_gunicorn(env, tmp_path_factory.mktemp("gunicorn") / "test-server.log") as server:
        yield server


def pytest_terminal_summary(terminalreporter):
    fuzzing = sys.modules.get("tests.live.test_schemathesis")
    if fuzzing is not None and fuzzing.CASES_SENT:
        terminalreporter.write_line(
            f"schemathesis: {len(fuzzing.CASES_SENT)} operations, "
            f"{sum(fuzzing.CASES_SENT.values())} cases sent (customer, agent, supervisor; "
            f"seed {fuzzing.SEED}, up to {fuzzing.MAX_EXAMPLES} examples per operation and phase)"
        )
        for exception, count in sorted(fuzzing.EXCUSED.items()):
            terminalreporter.write_line(f"  excused {count}x: {exception}")
