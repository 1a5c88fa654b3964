from collections.abc import Iterable
from typing import Any

from accounts.blind_index import email_blind_indexes
from accounts.models import EmailOptOut, User
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
