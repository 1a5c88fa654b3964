"""Recomputing every email blind index under BLIND_INDEX_KEY, in batches (a key rotation).

Each batch reads a primary-key range of users (emails decrypted), computes the index under
the current key in Python and writes only the rows that change, in one ``UPDATE`` that also
requires the index to still be the one read: a user who changed their email meanwhile was
saved with the current key already and is left alone. Rows already under the current key
are skipped, so a run is idempotent and resumes from the start after any interruption.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db import connection, transaction

from accounts.blind_index import email_blind_index
from accounts.models import User

_UPDATE = """
UPDATE accounts_user AS u SET email_hash = v.new
FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS v(id, old, new)
WHERE u.id = v.id AND u.email_hash = v.old
"""


@dataclass(frozen=True)
class BlindIndexBatch:
    rows: int
    recomputed: int
    last_id: UUID | None  # None: nothing after the cursor


def blind_index_recompute_batch(*, after_id: UUID | None, batch_size: int) -> BlindIndexBatch:
    """Recompute the index of the ``batch_size`` users after ``after_id`` (None: the first)."""
    users = User.objects.order_by("id")
    if after_id is not None:
        users = users.filter(id__gt=after_id)
    rows = list(users.values_list("id", "email", "email_hash")[:batch_size])
    if not rows:
        return BlindIndexBatch(rows=0, recomputed=0, last_id=None)
    stale = [
        (str(user_id), old, new)
        for user_id, email, old in rows
        if (new := email_blind_index(email)) != old
    ]
    recomputed = 0
    if stale:
        ids, olds, news = (list(column) for column in zip(*stale, strict=True))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_UPDATE, [ids, olds, news])
            recomputed = cursor.rowcount
    return BlindIndexBatch(rows=len(rows), recomputed=recomputed, last_id=rows[-1][0])
