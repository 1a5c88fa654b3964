"""Account use cases. Each function is one transaction."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.blind_index import email_blind_indexes, normalize_email
from accounts.models import Role, User


class EmailAlreadyRegistered(Exception):
    pass


def _set_role_group(user: User) -> None:
    user.groups.set([Group.objects.get_or_create(name=user.role)[0]])


@transaction.atomic
def user_create(
    *, email: str, password: str | None, full_name: str, phone: str = "", role: str = Role.CUSTOMER
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email_hash__in=email_blind_indexes(email)).exists():
        raise EmailAlreadyRegistered(email)
    user = User(email=email, full_name=full_name, phone=phone, role=role)
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


@transaction.atomic
def user_update_profile(
    *, user: User, full_name: str | None = None, phone: str | None = None
) -> User:
    if full_name is not None:
        user.full_name = full_name
    if phone is not None:
        user.phone = phone
    user.save()
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
    user_revoke_refresh_tokens(user=user)
    return user
