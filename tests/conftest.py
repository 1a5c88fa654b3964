"""Shared fixtures: users per role, authenticated API clients, a clean cache per test."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from tests.helpers.api import client_for
from tests.helpers.factories import DEFAULT_PASSWORD, CategoryFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and idempotency records must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def customer(db):
    return UserFactory.create(role=Role.CUSTOMER)


@pytest.fixture
def other_customer(db):
    return UserFactory.create(role=Role.CUSTOMER)


@pytest.fixture
def agent(db):
    return UserFactory.create(role=Role.AGENT)


@pytest.fixture
def supervisor(db):
    return UserFactory.create(role=Role.SUPERVISOR)


@pytest.fixture
def admin_user(db):
    return UserFactory.create(role=Role.ADMIN)


@pytest.fixture
def category(db):
    return CategoryFactory.create()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def customer_client(customer) -> APIClient:
    return client_for(customer)


@pytest.fixture
def other_customer_client(other_customer) -> APIClient:
    return client_for(other_customer)


@pytest.fixture
def agent_client(agent) -> APIClient:
    return client_for(agent)


@pytest.fixture
def supervisor_client(supervisor) -> APIClient:
    return client_for(supervisor)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return client_for(admin_user)
