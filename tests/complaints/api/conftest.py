import pytest

from tests.helpers.api import client_for


@pytest.fixture
def users(customer, other_customer, agent, supervisor, admin_user):
    return {
        "owner": customer,
        "other_customer": other_customer,
        "agent": agent,
        "supervisor": supervisor,
        "admin": admin_user,
    }


@pytest.fixture
def client_as(users):
    """client_as("agent") -> an APIClient authenticated as that user."""
    return lambda who: client_for(users[who])
