"""``User.display_name``: the one way people are named on screen and in the admin."""

import pytest

from accounts.models import Role, User


@pytest.mark.parametrize(
    ("role", "full_name", "shown"),
    [
        (Role.CUSTOMER, "Ada Lovelace", "Ada Lovelace"),
        (Role.CUSTOMER, "", "Customer"),
        (Role.AGENT, "Ann Lee", "Ann Lee (Support agent)"),
        (Role.AGENT, "", "Support agent"),
        (Role.AGENT, "   ", "Support agent"),
        (Role.SUPERVISOR, "Sam Boss", "Sam Boss (Support supervisor)"),
        (Role.ADMIN, "", "Support administrator"),
    ],
)
def test_display_name(role, full_name, shown):
    assert User(role=role, full_name=full_name).display_name == shown


def test_str_names_nobody():
    """``str(user)`` lands in the admin's log in plain text: role and id only."""
    user = User(role=Role.AGENT, full_name="Ann Lee", email="ann@example.com")
    assert "Ann" not in str(user)
    assert "ann@" not in str(user)
