"""Admin login lockout (django-axes), per account and per client IP.

Only ``/admin/`` logins are watched: the API's token endpoint has its own throttles
(``accounts.throttling``) and must answer JSON, never axes' lockout page. Accounts are
recorded by the blind index of their email, so axes' tables hold no plaintext address.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest

from accounts.blind_index import email_blind_index


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """What axes stores and counts as the account: the email's blind index."""
    email = (credentials or {}).get("username")
    if email is None:
        email = request.POST.get("username") if hasattr(request, "POST") else None
    if not isinstance(email, str) or not email.strip():
        return None
    return email_blind_index(email)


def lockout_client_ip(request: HttpRequest) -> str:
    """``REMOTE_ADDR``, already resolved from trusted proxies by ``TrustedProxyMiddleware``."""
    return request.META.get("REMOTE_ADDR", "")


class AdminLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out admin login before the password is checked.

    ``authenticate()`` without a request (management commands, tests' ``client.login``)
    reaches no web login form, so there is nothing to count: it passes through.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class AdminLoginHandler(AxesDatabaseHandler):
    """Axes' database handler, deaf to logins outside the admin site (the API's token view)."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)
