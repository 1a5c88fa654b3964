"""The request type a view behind ``IsAuthenticated`` (the project default) receives."""

from typing import TYPE_CHECKING

from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User

    class AuthenticatedRequest(Request):
        """A DRF request whose ``user`` is an account, never ``AnonymousUser``."""

        user: User

else:
    AuthenticatedRequest = Request
