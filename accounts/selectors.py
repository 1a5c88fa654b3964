from collections.abc import Iterable
from typing import Any
from uuid import UUID

from accounts.blind_index import email_blind_indexes
from accounts.models import PERSONAL_FIELDS, EmailOptOut, User
from accounts.notification_kinds import notification_kinds_for


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash__in=email_blind_indexes(email)).first()


def role_has_active_users(*, role: str) -> bool:
    return User.objects.filter(role=role, is_active=True).exists()


def notification_preferences(*, user: User) -> list[dict[str, Any]]:
    """Every kind the user can receive, with whether it is emailed to them."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return [
        {"kind": kind.key, "description": kind.label, "email": kind.key not in off}
        for kind in notification_kinds_for(user.role)
    ]


def users_emailed(*, user_ids: Iterable[Any], kind: str) -> set[Any]:
    """Those of ``user_ids`` who have not turned off email for ``kind`` (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    off = EmailOptOut.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", flat=True)
    return ids - set(off)


def user_get_for_authentication(*, user_id: UUID | str) -> User:
    """The user a token names, without the encrypted personal columns (nothing is decrypted).

    Roles, activity and the password digest are all that authentication, permissions and
    visibility read; a later use of the email, name or phone loads them (one query for all).
    Raises ``User.DoesNotExist``.
    """
    return User.objects.defer(*PERSONAL_FIELDS).get(pk=user_id)
