from accounts.blind_index import email_blind_index
from accounts.models import HANDLER_ROLES, User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash=email_blind_index(email)).first()


def handlers_list():
    return User.objects.filter(role__in=HANDLER_ROLES, is_active=True)
