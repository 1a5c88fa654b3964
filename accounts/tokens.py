"""Single-use, expiring tokens for emailed links (password reset, email verification).

A token is ``<uidb64>.<timestamp>-<hmac>``: the HMAC (Django's ``PasswordResetTokenGenerator``,
keyed with ``SECRET_KEY`` and its fallbacks, so the key rotates) covers account state that
the use of the link changes, which makes every link single-use:

- reset: the password hash and last login (Django's own hash value);
- verification: the email and ``email_verified_at``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from accounts.errors import TokenExpired, TokenInvalid
from accounts.models import User


class ExpiringTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator with its own lifetime setting and a verdict that says why."""

    timeout_setting = "PASSWORD_RESET_TIMEOUT"

    @property
    def valid_seconds(self) -> int:
        return int(getattr(settings, self.timeout_setting))

    def verdict(self, user: User, token: str) -> None:
        """Raise ``TokenInvalid`` or ``TokenExpired``; return when the token is good."""
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError as exc:
            raise TokenInvalid() from exc
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in secrets
        ):
            raise TokenInvalid()
        if self._num_seconds(self._now()) - ts > self.valid_seconds:
            raise TokenExpired()


class PasswordResetTokens(ExpiringTokenGenerator):
    key_salt = "accounts.tokens.PasswordResetTokens"


class EmailVerificationTokens(ExpiringTokenGenerator):
    key_salt = "accounts.tokens.EmailVerificationTokens"
    timeout_setting = "EMAIL_VERIFICATION_TIMEOUT"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        verified = "" if user.email_verified_at is None else user.email_verified_at.isoformat()
        return f"{user.pk}{user.email}{verified}{timestamp}"


password_reset_tokens = PasswordResetTokens()
email_verification_tokens = EmailVerificationTokens()


# uid (base64) "." Django token: far below this; longer input is rejected unparsed.
LINK_TOKEN_MAX_LENGTH = 200


def link_token(*, generator: ExpiringTokenGenerator, user: User) -> str:
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{generator.make_token(user)}"


def user_from_link_token(*, generator: ExpiringTokenGenerator, token: str) -> User:
    """The active account a link token was made for; ``TokenInvalid``/``TokenExpired``."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > LINK_TOKEN_MAX_LENGTH:
        raise TokenInvalid()
    uidb64, raw = token.split(".")
    try:
        uid = uuid.UUID(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError) as exc:
        raise TokenInvalid() from exc
    # Locked: two uses of one link at the same time cannot both pass the check.
    user = User.objects.select_for_update().filter(pk=uid, is_active=True).first()
    if user is None:
        raise TokenInvalid()
    generator.verdict(user, raw)
    return user
