"""Fixtures for the Streamlit frontend tests: a live API server and AppTest sessions."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers.factories import CategoryFactory
from tests.helpers.frontend import APP_PATH

APP_TIMEOUT = float(os.environ.get("APPTEST_TIMEOUT", "30"))


@pytest.fixture
def api_url(live_server, transactional_db) -> str:
    """Base URL of the real Django API, served in a thread against the test database."""
    return live_server.url


@pytest.fixture
def categories(transactional_db):
    return [
        CategoryFactory.create(name="Billing", slug="billing"),
        CategoryFactory.create(name="Delivery", slug="delivery"),
    ]


@pytest.fixture
def new_app(api_url) -> Callable[[], AppTest]:
    """A factory of fresh app sessions (one per simulated browser tab/user)."""

    def make() -> AppTest:
        at = AppTest.from_file(str(APP_PATH), default_timeout=APP_TIMEOUT)
        at.session_state["api_base_url"] = api_url
        return at.run()

    return make
