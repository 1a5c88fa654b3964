"""Right to erasure (GDPR art. 17) for one user, in one transaction.

What goes: the profile (name, phone, email -> a unique placeholder under the reserved
``.invalid`` TLD), the ability to log in (unusable password, inactive, refresh tokens
blacklisted; access tokens die at once because JWT authentication rejects inactive users),
the free text the user wrote (complaint titles and descriptions, their comments, feedback
comments -> ``[erased]``), the files they uploaded and their idempotency keys.

What stays, for statistics and the audit trail: the user row (as "Erased user"), the
complaints with status, category, priority, timestamps and SLA clocks, the history entries,
feedback ratings, and text written by staff (resolutions, staff comments).

Policy: any user may erase themselves, handlers included; complaints assigned to an erased
handler keep the assignee (an inactive "Erased user") until a supervisor reassigns them.
Not covered here: copies outside this database (logs, Kafka topics, backups).
"""

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_revoke_refresh_tokens
from complaints.models import (
    Attachment,
    Comment,
    Complaint,
    Feedback,
    HistoryEntry,
    HistoryKind,
    IdempotencyKey,
)

logger = logging.getLogger(__name__)

ERASED_NAME = "Erased user"
ERASED_TEXT = "[erased]"


def erased_email() -> str:
    return f"erased-{uuid.uuid4().hex}@invalid"


@transaction.atomic
def user_erase(*, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user

    Complaint.objects.filter(customer=user).update(title=ERASED_TEXT, description=ERASED_TEXT)
    Comment.objects.filter(author=user).update(body=ERASED_TEXT)
    Feedback.objects.filter(complaint__customer=user).exclude(comment="").update(
        comment=ERASED_TEXT
    )

    uploads = list(Attachment.objects.filter(uploaded_by=user))
    files = [(a.file.storage, a.file.name) for a in uploads if a.file]
    Attachment.objects.filter(pk__in=[a.pk for a in uploads]).delete()
    # The timeline names each upload by the file name the user gave it.
    HistoryEntry.objects.filter(actor=user, kind=HistoryKind.ATTACHMENT_ADDED).update(
        to_value=ERASED_TEXT
    )
    IdempotencyKey.objects.filter(user=user).delete()

    user.full_name = ERASED_NAME
    user.phone = ""
    user.email = erased_email()
    user.set_unusable_password()
    user.is_active = False
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user_revoke_refresh_tokens(user=user)

    def _delete_files() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not delete an erased user's file", extra={"file": name})

    transaction.on_commit(_delete_files)
    logger.info("User erased", extra={"user_id": str(user.pk)})
    return user
