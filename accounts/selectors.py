from accounts.blind_index import email_blind_index
from accounts.models import User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash=email_blind_index(email)).first()
