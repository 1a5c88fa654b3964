"""Login and registration throttles (DRF, counters in the Redis cache).

Two dimensions per use case: the client IP and the email being tried. The email dimension keys
on the blind index of the normalised address, so raw emails never appear in cache keys; only a
well-formed address is hashed (anything else names no account: the login fails and the
registration is a 400 anyway). The client IP is ``REMOTE_ADDR``, which
``complaints_project.client_ip.TrustedProxyMiddleware`` has set from trusted proxies only.
Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read on every request,
so ``override_settings`` (tests) and settings reloads take effect without re-importing.
"""

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.blind_index import email_blind_index, normalize_email

logger = logging.getLogger(__name__)

# RFC 5321's limit on an address; anything longer is not an email to throttle by.
EMAIL_MAX_LENGTH = 254


class ThrottleUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service temporarily unavailable, try again later."
    default_code = "unavailable"


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]  # type: ignore[index,return-value]  # the stubs type rates as numbers and the scope as optional; DRF stores "N/period" strings under set scopes
        except KeyError:
            return super().get_rate()

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (ConnectionInterrupted, RedisError) as exc:
            # Fail closed: without counters we cannot protect the credential endpoints.
            logger.error("Throttle cache unavailable", extra={"scope": self.scope}, exc_info=exc)
            raise ThrottleUnavailable() from exc


class _IpThrottle(_SettingsRateThrottle):
    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def well_formed_email(value: object) -> str | None:
    """``value`` normalised if it is an email address an account could have, else None."""
    if not isinstance(value, str):
        return None
    email = normalize_email(value)
    if len(email) > EMAIL_MAX_LENGTH:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


class _EmailThrottle(_SettingsRateThrottle):
    """Keys on the blind index of ``request.data["email"]``; no valid email, no email throttle."""

    field = "email"

    def get_cache_key(self, request, view) -> str | None:
        data = request.data
        email = well_formed_email(data.get(self.field) if hasattr(data, "get") else None)
        if email is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": email_blind_index(email)}


class LoginIpThrottle(_IpThrottle):
    scope = "login_ip"


class LoginEmailThrottle(_EmailThrottle):
    scope = "login_email"


class RegisterIpThrottle(_IpThrottle):
    scope = "register_ip"


class RegisterEmailThrottle(_EmailThrottle):
    scope = "register_email"


class TokenIpThrottle(_IpThrottle):
    """Refresh, verify and blacklist: no credential to guess, but each call costs a lookup."""

    scope = "token_ip"


class PasswordChangeThrottle(_SettingsRateThrottle):
    """Guessing the old password shares the per-email login budget of the account."""

    scope = "login_email"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        if not user or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.email_hash}


class PasswordResetIpThrottle(_IpThrottle):
    scope = "password_reset_ip"


class PasswordResetEmailThrottle(_EmailThrottle):
    scope = "password_reset_email"


class AccountTokenIpThrottle(_IpThrottle):
    """Redeeming emailed links and browser-session tickets, per client IP."""

    scope = "account_token_ip"


class VerificationResendThrottle(_SettingsRateThrottle):
    """Per account: a signed-in user asking for yet another verification email."""

    scope = "verification_resend"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        if not user or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.email_hash}


class BrowserSessionResumeThrottle(_SettingsRateThrottle):
    """Per presented session secret (digest): the front-end server calls this for every
    browser, so its IP says nothing about who is asking."""

    scope = "browser_session"

    def get_cache_key(self, request, view) -> str | None:
        data = request.data
        value = data.get("session") if hasattr(data, "get") else None
        if not isinstance(value, str) or not value:
            return None
        ident = hashlib.sha256(value.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
