"""Right to erasure (GDPR art. 17) for one user, in one transaction.

What goes: the profile (name, phone, email -> a unique placeholder under the reserved
``.invalid`` TLD, time zone) and the ability to log in (unusable password, inactive, refresh
tokens blacklisted, browser sessions deleted; access tokens die at once because JWT
authentication rejects inactive users).
What the user wrote elsewhere is erased, in the same transaction, by every provider
registered in ``accounts.personal_data`` (complaints: ``complaints.privacy``).

What stays, for statistics and the audit trail: the user row (as "Erased user").

Policy: any user may erase themselves, handlers included.
Not covered here: copies outside this database (logs, Kafka topics, backups).
"""

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from accounts.models import BrowserSession, User
from accounts.personal_data import personal_data_erase
from accounts.services import browser_sessions_end

logger = logging.getLogger(__name__)

ERASED_NAME = "Erased user"


def erased_email() -> str:
    return f"erased-{uuid.uuid4().hex}@invalid"


@transaction.atomic
def user_erase(*, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user

    personal_data_erase(user=user)

    user.full_name = ERASED_NAME
    user.phone = ""
    user.time_zone = ""
    user.email = erased_email()
    user.set_unusable_password()
    user.is_active = False
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    browser_sessions_end(user=user)
    BrowserSession.objects.filter(user=user).delete()
    logger.info("User erased", extra={"user_id": str(user.pk)})
    return user
