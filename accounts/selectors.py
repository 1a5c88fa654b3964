from accounts.blind_index import email_blind_indexes
from accounts.models import User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash__in=email_blind_indexes(email)).first()


def role_has_active_users(*, role: str) -> bool:
    return User.objects.filter(role=role, is_active=True).exists()
