from uuid import UUID

from accounts.blind_index import email_blind_indexes
from accounts.models import PERSONAL_FIELDS, User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash__in=email_blind_indexes(email)).first()


def role_has_active_users(*, role: str) -> bool:
    return User.objects.filter(role=role, is_active=True).exists()


def user_get_for_authentication(*, user_id: UUID | str) -> User:
    """The user a token names, without the encrypted personal columns (nothing is decrypted).

    Roles, activity and the password digest are all that authentication, permissions and
    visibility read; a later use of the email, name or phone loads them (one query for all).
    Raises ``User.DoesNotExist``.
    """
    return User.objects.defer(*PERSONAL_FIELDS).get(pk=user_id)
