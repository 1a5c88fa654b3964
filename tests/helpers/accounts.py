"""Account look-ups for assertions."""

from accounts.models import User
from accounts.selectors import user_get_by_email


def user_with_email(email: str) -> User:
    """The account registered under ``email``; the test fails when there is none."""
    user = user_get_by_email(email=email)
    assert user is not None, f"no account for {email}"
    return user
