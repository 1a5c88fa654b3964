"""Attachment use cases: content sniffing, name sanitising, storing, and who may see what.

Types are decided by the bytes, never by the file name or the client's Content-Type.
Plain text means valid UTF-8 without NUL bytes; markup (HTML, SVG, ...) that passes that
test is stored and always served as ``text/plain; charset=utf-8`` with ``nosniff`` and
``Content-Disposition: attachment``, so a browser never renders it.
"""

import hashlib
import logging
import os
import unicodedata
from codecs import getincrementaldecoder
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, TypedDict, cast
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from complaints import attachment_crypto, events
from complaints.errors import (
    AttachmentContentUnavailable,
    ConflictError,
    NotFound,
    PayloadTooLarge,
    UnsupportedFileType,
)
from complaints.history import history_record
from complaints.models import Attachment, Comment, Complaint, HistoryKind
from complaints.policies import customer_may_add_to_conversation
from complaints.visibility import (
    complaint_get_visible,
    ensure_complaint_visible,
    sees_internal_notes,
)

logger = logging.getLogger(__name__)

# sniffed type -> (canonical extension, other extensions we keep when the client used them)
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": (".pdf", ()),
    "image/png": (".png", ()),
    "image/jpeg": (".jpg", (".jpeg",)),
    "text/plain": (".txt", (".log", ".csv", ".md")),
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
MAX_NAME_LENGTH = 120
_SAFE_PUNCTUATION = set(" ._-()[]+,=@&'")


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def attachment_too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"The file is larger than {max_bytes()} bytes.")


def sniff_content_type(upload) -> str | None:
    """The content type from the bytes themselves, or None when not an allowed type."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    # Plain text: the whole file must be valid UTF-8 and free of NUL bytes.
    decoder = getincrementaldecoder("utf-8")(errors="strict")
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    finally:
        upload.seek(0)
    return "text/plain"


def sanitize_filename(name: str | None, content_type: str) -> str:
    """A display name safe for any file system and header, with an extension that matches."""
    canonical, aliases = ALLOWED_TYPES[content_type]
    name = unicodedata.normalize("NFC", name or "")
    # Strip any path (both separators), then anything that is not a letter, digit or
    # harmless punctuation: control/format characters (bidi overrides) and the like go.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = []
    for ch in name:
        category = unicodedata.category(ch)
        if category[0] in "LN" or ch in _SAFE_PUNCTUATION:
            cleaned.append(" " if category == "Zs" else ch)
        elif category[0] in "PS":
            cleaned.append("_")
    name = " ".join("".join(cleaned).split())  # collapse whitespace
    while ".." in name:
        name = name.replace("..", ".")
    stem, ext = os.path.splitext(name)
    ext = ext.lower()
    stem = stem.strip(" .-_")
    if not stem:
        stem = "attachment"
    keep = ext if ext in (canonical, *aliases) else canonical
    return stem[: MAX_NAME_LENGTH - len(keep)].rstrip(" .") + keep


def _check_may_upload(*, complaint: Complaint, uploader: User) -> None:
    # Visibility is checked by the caller too; this is the last line of defence.
    ensure_complaint_visible(user=uploader, complaint=complaint)
    if uploader.is_handler:
        return
    if not customer_may_add_to_conversation(complaint.status):
        # Same rule and answer as a customer's comment on a finished complaint.
        raise ConflictError(
            "This complaint is finished; no more attachments can be added.",
            current_status=complaint.status,
        )


def attachment_add(
    *, complaint: Complaint, uploader: User, upload: UploadedFile, comment: Comment | None = None
) -> Attachment:
    """Validate, store and record one attachment in a single transaction.

    The stored file is deleted again if anything in the transaction fails.
    """
    if upload.size is None or upload.size > max_bytes():
        raise attachment_too_large()
    if upload.size == 0:
        raise ValidationError({"file": ["The submitted file is empty."]})
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise UnsupportedFileType(allowed_types=list(ALLOWED_TYPES))

    stored_name: str | None = None
    try:
        with transaction.atomic():
            locked = (
                Complaint.objects.select_for_update()
                # What the check and the event's snapshot read.
                .only(
                    "id",
                    "reference",
                    "status",
                    "priority",
                    "category_id",
                    "assignee_id",
                    "customer_id",
                )
                .get(pk=complaint.pk)
            )
            _check_may_upload(complaint=locked, uploader=uploader)
            if comment is not None:
                if comment.complaint_id != complaint.pk:
                    raise ValidationError({"comment_id": ["Not a comment of this complaint."]})
                if comment.is_internal and not sees_internal_notes(uploader):
                    raise ValidationError({"comment_id": ["Not a comment of this complaint."]})
            internal = bool(comment is not None and comment.is_internal)
            attachment = Attachment(
                complaint=complaint,
                comment=comment,
                uploaded_by=uploader,
                original_name=sanitize_filename(upload.name, content_type),
                content_type=content_type,
                size=upload.size,
            )
            content = EncryptedContent(attachment_id=attachment.pk, plaintext=upload.chunks())
            # upload_to gives a random name; the storage may still alter it, so keep its answer.
            # FieldFile.save reads only content.chunks(); the stubs ask for a File.
            attachment.file.save(attachment.original_name, content, save=False)  # type: ignore[arg-type]
            stored_name = attachment.file.name
            attachment.sha256 = content.sha256.hexdigest()
            attachment.key_id = content.wrapped_key.key_id
            attachment.wrapped_key = content.wrapped_key.wrapped
            attachment.save()
            history_record(
                complaint=complaint,
                actor=uploader,
                kind=HistoryKind.ATTACHMENT_ADDED,
                to_value=attachment.original_name[:100],
                is_internal=internal,
            )
            events.emit_attachment_added(
                complaint=locked, actor=uploader, attachment=attachment, internal=internal
            )
    except BaseException:
        if stored_name:
            try:
                Attachment.file.field.storage.delete(stored_name)
            except OSError:  # pragma: no cover - best effort cleanup
                logger.warning("Could not delete orphaned attachment file %s", stored_name)
        raise
    return attachment


class EncryptedContent:
    """What the storage saves: the upload encrypted under a new key as it is written.

    The plaintext is read once, chunk by chunk, and hashed on the way; nothing is held whole
    in memory, and no plaintext temporary file is moved into the media folder.
    """

    def __init__(self, *, attachment_id: UUID, plaintext: Iterable[bytes]):
        self._plaintext = plaintext
        self._data_key = attachment_crypto.new_data_key()
        self.wrapped_key = attachment_crypto.wrap_data_key(
            data_key=self._data_key, attachment_id=attachment_id
        )
        self.sha256 = hashlib.sha256()

    def _hashed(self) -> Iterator[bytes]:
        for chunk in self._plaintext:
            self.sha256.update(chunk)
            yield chunk

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return attachment_crypto.encrypt_chunks(data_key=self._data_key, plaintext=self._hashed())


def _plaintext_chunks(attachment: Attachment, stored: BinaryIO) -> Iterator[bytes]:
    if attachment.key_id:
        data_key = attachment_crypto.unwrap_data_key(
            wrapped=attachment_crypto.WrappedKey(attachment.key_id, bytes(attachment.wrapped_key)),
            attachment_id=attachment.pk,
        )
        return attachment_crypto.decrypt_chunks(data_key=data_key, stream=stored)
    # Stored before encryption and not converted yet (manage.py encrypt_attachments).
    return iter(lambda: stored.read(attachment_crypto.CHUNK_SIZE), b"")


def _verified(
    attachment: Attachment, first: bytes, rest: Iterator[bytes], stored: BinaryIO
) -> Iterator[bytes]:
    with stored:
        digest = hashlib.sha256(first)
        yield first
        try:
            for chunk in rest:
                digest.update(chunk)
                yield chunk
        except attachment_crypto.AttachmentDecryptionError:
            logger.error("attachment does not decrypt", extra={"attachment": str(attachment.pk)})
            raise
        if digest.hexdigest() != attachment.sha256:
            # Every chunk authenticated, yet the whole is not what was uploaded: abort the
            # response rather than let it complete.
            logger.error("attachment checksum mismatch", extra={"attachment": str(attachment.pk)})
            raise attachment_crypto.AttachmentDecryptionError("SHA-256 mismatch")


def _open_stored(attachment: Attachment) -> BinaryIO:
    # FieldFile.open() returns the FieldFile, which proxies the opened binary file.
    try:
        return cast(BinaryIO, attachment.file.open("rb"))
    except FileNotFoundError as exc:
        missing = exc
    # encrypt_attachments may just have replaced a plaintext file: the row names the new one.
    previous_name = attachment.file.name
    attachment.refresh_from_db(fields=["file", "key_id", "wrapped_key"])
    if attachment.file.name != previous_name:
        try:
            return cast(BinaryIO, attachment.file.open("rb"))
        except FileNotFoundError as exc:
            missing = exc
    logger.error("attachment file missing", extra={"attachment": str(attachment.pk)})
    raise AttachmentContentUnavailable() from missing


def attachment_open_content(*, attachment: Attachment) -> Iterator[bytes]:
    """The attachment's plaintext as a stream of chunks, decrypted and verified on the way.

    Each chunk is authenticated before it is released and the SHA-256 of the whole is compared
    at the end; a failure there ends the stream with an error, so the client sees a broken
    transfer, never a complete wrong file. The file is opened and its first chunk decrypted
    here, so a missing file or a key that does not open it is raised before any byte is sent.
    """
    stored = _open_stored(attachment)
    try:
        chunks = _plaintext_chunks(attachment, stored)
        first = next(chunks, b"")
    except attachment_crypto.AttachmentDecryptionError as exc:
        stored.close()
        logger.error(
            "attachment does not decrypt: %s", exc, extra={"attachment": str(attachment.pk)}
        )
        raise AttachmentContentUnavailable() from exc
    return _verified(attachment, first, chunks, stored)


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _InternalFlag(TypedDict):
        on_internal_note: bool

    AttachmentWithFlag = WithAnnotations[Attachment, _InternalFlag]


def _with_internal_flag(qs: QuerySet[Attachment]) -> "QuerySet[AttachmentWithFlag]":
    # The flag alone, so the (encrypted) comment body is never decrypted for this.
    return qs.annotate(on_internal_note=Coalesce(F("comment__is_internal"), Value(False)))


def attachments_visible_to(*, user: User, complaint: Complaint) -> QuerySet[Attachment]:
    """Attachments of a complaint the user may already see; customers never see internal ones."""
    qs = _with_internal_flag(Attachment.objects.filter(complaint=complaint))
    if not sees_internal_notes(user):
        qs = qs.filter(on_internal_note=False)
    return qs.order_by("created_at", "id")


def attachment_get_visible(*, user: User, attachment_id: UUID | str) -> Attachment:
    """The attachment if the user may see its complaint (and, for customers, it is public)."""
    try:
        attachment = _with_internal_flag(Attachment.objects.all()).get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound("No attachment matches the given query.") from exc
    complaint_get_visible(user=user, complaint_id=attachment.complaint_id)
    if attachment.on_internal_note and not sees_internal_notes(user):
        raise NotFound("No attachment matches the given query.")
    return attachment
