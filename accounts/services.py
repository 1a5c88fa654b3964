"""Account use cases. Each function is one transaction.

Bad input is Django's ``ValidationError`` (field -> messages); bad emailed links and dead
browser sessions are ``accounts.errors``.
"""

import hashlib
import secrets
import zoneinfo
from datetime import timedelta
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.blind_index import email_blind_indexes, normalize_email
from accounts.emails import frontend_link, send_on_commit
from accounts.errors import BrowserSessionInvalid
from accounts.models import BrowserSession, EmailOptOut, Role, User
from accounts.notification_kinds import notification_kind_check
from accounts.personal_data import personal_data_renamed
from accounts.tokens import (
    ExpiringTokenGenerator,
    email_verification_tokens,
    link_token,
    password_reset_tokens,
    user_from_link_token,
)

PHONE_INVALID = (
    "Enter a phone number, e.g. +44 20 7946 0958 (a + and the country code if not {region})."
)


class EmailAlreadyRegistered(Exception):
    pass


def _set_role_group(user: User) -> None:
    user.groups.set([Group.objects.get_or_create(name=user.role)[0]])


def normalize_phone(raw: str) -> str:
    """A phone number in E.164 (``+442079460958``); "" stays "" (the phone is optional).

    Numbers without a ``+`` prefix are read in ``PHONE_DEFAULT_REGION``.
    """
    raw = (raw or "").strip()
    if not raw:
        return ""
    region = settings.PHONE_DEFAULT_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": [PHONE_INVALID.format(region=region)]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": [PHONE_INVALID.format(region=region)]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1)
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> str:
    """An IANA zone name (``Europe/Berlin``), or "" for the organisation's default."""
    name = (name or "").strip()
    if name and name not in _time_zone_names():
        raise ValidationError({"time_zone": [f"'{name[:64]}' is not a known time zone."]})
    return name


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str,
    phone: str = "",
    role: str = Role.CUSTOMER,
    email_verified: bool = True,
) -> User:
    """Create an account. Staff-made accounts count as verified; self-service sign-ups go
    through ``user_register`` instead."""
    email = normalize_email(email)
    if User.objects.filter(email_hash__in=email_blind_indexes(email)).exists():
        raise EmailAlreadyRegistered(email)
    user = User(
        email=email,
        full_name=full_name,
        phone=normalize_phone(phone),
        role=role,
        email_verified_at=timezone.now() if email_verified else None,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    _set_role_group(user)
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    user.role = role
    user.save()
    _set_role_group(user)
    return user


def _send_link(*, user: User, template: str, page: str, generator: ExpiringTokenGenerator) -> None:
    """Email the user a single-use link to a front-end page, with the time it expires."""
    send_on_commit(
        template=template,
        user=user,
        context={
            "link": frontend_link(page, token=link_token(generator=generator, user=user)),
            "expires_at": timezone.now() + timedelta(seconds=generator.valid_seconds),
        },
    )


def _send_verification(user: User) -> None:
    _send_link(
        user=user, template="verify_email", page="verify_email", generator=email_verification_tokens
    )


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str, phone: str = "") -> None:
    """Self-service sign-up that does not reveal whether the email is already registered.

    Both paths validate and hash the password and send one email: a new address gets a
    verification link, the owner of a registered one a note that someone tried to sign up
    with it. The caller answers the same either way. The new account is an unverified customer.
    """
    email = normalize_email(email)
    candidate = User(email=email, full_name=full_name, phone=normalize_phone(phone))
    validate_password(password, candidate)
    password_hash = make_password(password)
    existing = User.objects.filter(email_hash__in=email_blind_indexes(email)).first()
    if existing is not None:
        if existing.is_active and existing.erased_at is None:
            send_on_commit(
                template="registration_attempt",
                user=existing,
                context={
                    "attempted_at": timezone.now(),
                    "reset_link": frontend_link("forgot_password"),
                },
            )
        return
    candidate.password = password_hash
    candidate.save()
    _set_role_group(candidate)
    _send_verification(candidate)


@transaction.atomic
def email_verification_resend(*, user: User) -> None:
    """Send a fresh verification link; nothing for an address already verified."""
    if not user.email_verified:
        _send_verification(user)


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Mark the address of the link's account verified (``TokenInvalid``/``TokenExpired``)."""
    user = user_from_link_token(generator=email_verification_tokens, token=token)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Email a reset link if the address belongs to a live account; silent otherwise."""
    user = User.objects.filter(
        email_hash__in=email_blind_indexes(email), is_active=True, erased_at__isnull=True
    ).first()
    if user is None:
        return
    _send_link(
        user=user, template="password_reset", page="reset_password", generator=password_reset_tokens
    )


@transaction.atomic
def password_reset_confirm(*, token: str, new_password: str) -> User:
    """Set a new password from an emailed link; ends every session of the account.

    The link is single-use: the token covers the password hash, which this changes. Opening
    the emailed link also proves the address, so it counts as verified.
    """
    user = user_from_link_token(generator=password_reset_tokens, token=token)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
    return user_change_password(user=user, new_password=new_password)


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str | None = None,
    phone: str | None = None,
    time_zone: str | None = None,
) -> User:
    old_name = user.full_name
    if full_name is not None:
        user.full_name = full_name
    if phone is not None:
        user.phone = normalize_phone(phone)
    if time_zone is not None:
        user.time_zone = validate_time_zone(time_zone)
    user.save()
    if user.full_name != old_name:
        personal_data_renamed(user=user, old_name=old_name)
    return user


def user_revoke_refresh_tokens(*, user: User) -> int:
    """Blacklist every refresh token the user still holds; returns how many were revoked."""
    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in pending]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> User:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save()
    # The new password ends every session: refresh tokens, browser cookies and (through
    # CHECK_REVOKE_TOKEN) live access tokens.
    browser_sessions_end(user=user)
    return user


# --------------------------------------------------------------------------- browser sessions


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@transaction.atomic
def browser_session_start(*, user: User) -> str:
    """Open a browser session for a freshly logged-in user; returns its one-time ticket.

    The front end hands the ticket to the browser, which redeems it for the session cookie
    (``browser_session_bind``) within ``BROWSER_SESSION_TICKET_SECONDS``.
    """
    ticket = secrets.token_urlsafe(32)
    now = timezone.now()
    BrowserSession.objects.create(
        user=user,
        ticket_hash=_digest(ticket),
        ticket_expires_at=now + timedelta(seconds=settings.BROWSER_SESSION_TICKET_SECONDS),
        expires_at=now + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"],
    )
    return ticket


@transaction.atomic
def browser_session_bind(*, ticket: str) -> tuple[str, BrowserSession]:
    """Redeem a ticket (once) for the session's secret, the value of the cookie."""
    session = (
        BrowserSession.objects.select_for_update()
        .filter(
            ticket_hash=_digest(ticket),
            ticket_expires_at__gt=timezone.now(),
            revoked_at__isnull=True,
        )
        .first()
    )
    if session is None:
        raise BrowserSessionInvalid()
    secret = secrets.token_urlsafe(32)
    session.ticket_hash = None
    session.ticket_expires_at = None
    session.secret_hash = _digest(secret)
    session.save(update_fields=["ticket_hash", "ticket_expires_at", "secret_hash"])
    return secret, session


def browser_session_user(*, secret: str) -> User:
    """The active user of a live session (``BrowserSessionInvalid`` otherwise)."""
    session = (
        BrowserSession.objects.select_related("user")
        .filter(
            secret_hash=_digest(secret),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if session is None:
        raise BrowserSessionInvalid()
    return session.user


@transaction.atomic
def browser_sessions_end(*, user: User) -> int:
    """Log the user out everywhere: every browser session and every refresh token.

    Access tokens already handed out run to their (short) expiry.
    """
    ended = BrowserSession.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), ticket_hash=None, secret_hash=None
    )
    user_revoke_refresh_tokens(user=user)
    return ended


@transaction.atomic
def notification_preferences_update(*, user: User, email: dict[str, bool]) -> None:
    """Turn email on (True) or off (False) per notification kind; unknown kinds are refused."""
    errors = []
    for key, wanted in email.items():
        try:
            notification_kind_check(key=key, role=user.role)
        except ValidationError as exc:
            errors.extend(exc.message_dict["email"])
            continue
        if wanted:
            EmailOptOut.objects.filter(user=user, kind=key).delete()
        else:
            EmailOptOut.objects.get_or_create(user=user, kind=key)
    if errors:
        raise ValidationError({"email": errors})
