"""Batch jobs on stored attachments: encrypt the files kept before encryption, rewrap file keys.

Both run online, in small steps that each leave a consistent state, so they can be stopped at
any point and run again (``manage.py encrypt_attachments``, ``rotate_attachment_master_key``).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Count

from complaints import attachment_crypto
from complaints.attachments import EncryptedContent
from complaints.models import Attachment

# An encrypted copy of ``name`` is written to ``name + ENCRYPTED_SUFFIX``; only this job makes
# such names, which is how a later run finds a plaintext left behind by an interrupted one.
ENCRYPTED_SUFFIX = ".enc"


_REWRAP = """
UPDATE complaints_attachment AS a SET key_id = v.key_id, wrapped_key = v.wrapped_key
FROM unnest(%s::uuid[], %s::varchar[], %s::bytea[]) AS v(id, key_id, wrapped_key)
WHERE a.id = v.id
"""


class StoredChecksumMismatch(Exception):
    """The plaintext file on disk is not what was uploaded; it is left as it is."""


def _read_chunks(stream) -> Iterator[bytes]:
    return iter(lambda: stream.read(attachment_crypto.CHUNK_SIZE), b"")


def attachment_encrypt_stored(*, attachment_id: UUID) -> bool:
    """Encrypt one plaintext file; False when there is nothing to do (already encrypted, gone).

    Order: write the encrypted copy beside the plaintext, point the row at it (one conditional
    UPDATE), then delete the plaintext. Stopped before the UPDATE: the row still names the
    plaintext and the copy is rewritten next time. Stopped after it: the row is right and the
    plaintext is a leftover that ``attachment_delete_plaintext_leftovers`` removes.
    """
    attachment = Attachment.objects.filter(pk=attachment_id, key_id="").first()
    if attachment is None:
        return False
    storage = attachment.file.storage
    source = attachment.file.name
    target = source + ENCRYPTED_SUFFIX
    if storage.exists(target):
        storage.delete(target)
    with storage.open(source, "rb") as plaintext:
        content = EncryptedContent(attachment_id=attachment.pk, plaintext=_read_chunks(plaintext))
        saved = storage.save(target, content)
    if content.sha256.hexdigest() != attachment.sha256:
        storage.delete(saved)
        raise StoredChecksumMismatch(str(attachment.pk))
    with transaction.atomic():
        updated = Attachment.objects.filter(pk=attachment.pk, key_id="", file=source).update(
            file=saved,
            key_id=content.wrapped_key.key_id,
            wrapped_key=content.wrapped_key.wrapped,
        )
    if not updated:
        # Deleted or changed meanwhile (erasure): the copy belongs to nothing.
        storage.delete(saved)
        return False
    storage.delete(source)
    return True


def attachment_delete_plaintext_leftovers() -> int:
    """Delete plaintext files an interrupted ``attachment_encrypt_stored`` left behind."""
    deleted = 0
    converted = Attachment.objects.exclude(key_id="").filter(file__endswith=ENCRYPTED_SUFFIX)
    for attachment in converted.only("id", "file").iterator():
        storage = attachment.file.storage
        leftover = attachment.file.name.removesuffix(ENCRYPTED_SUFFIX)
        if storage.exists(leftover):
            storage.delete(leftover)
            deleted += 1
    return deleted


@dataclass(frozen=True)
class RewrapBatch:
    rewrapped: int
    last_id: UUID | None  # None: no rows left after the cursor


def attachment_keys_rewrap_batch(*, after_id: UUID | None, batch_size: int) -> RewrapBatch:
    """Rewrap, under the current master key, the next file keys wrapped by an older one.

    Rows are locked while their 60 bytes change; files are not touched. Raises
    ``AttachmentDecryptionError`` when a row's master key is not configured (any more).
    """
    current = attachment_crypto.current_master_key_id()
    with transaction.atomic():
        rows = Attachment.objects.exclude(key_id="").exclude(key_id=current).order_by("id")
        if after_id is not None:
            rows = rows.filter(id__gt=after_id)
        batch = list(
            rows.select_for_update().values_list("id", "key_id", "wrapped_key")[:batch_size]
        )
        rewrapped = []
        for attachment_id, key_id, wrapped_key in batch:
            data_key = attachment_crypto.unwrap_data_key(
                wrapped=attachment_crypto.WrappedKey(key_id, wrapped_key),
                attachment_id=attachment_id,
            )
            wrapped = attachment_crypto.wrap_data_key(
                data_key=data_key, attachment_id=attachment_id
            )
            rewrapped.append((str(attachment_id), wrapped.key_id, wrapped.wrapped))
        if rewrapped:
            ids, key_ids, keys = (list(column) for column in zip(*rewrapped, strict=True))
            with connection.cursor() as cursor:
                cursor.execute(_REWRAP, [ids, key_ids, keys])
    return RewrapBatch(rewrapped=len(batch), last_id=batch[-1][0] if batch else None)


def attachments_by_master_key() -> dict[str, int]:
    """How many files each master key wraps ("" = plaintext files not encrypted yet)."""
    rows = Attachment.objects.order_by().values("key_id").annotate(files=Count("id"))
    return {row["key_id"]: row["files"] for row in rows}
