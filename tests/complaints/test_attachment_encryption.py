"""Attachments at rest: chunked AES-256-GCM, per-file keys, integrity on download, conversion.

The media folder is read raw: no uploaded plaintext may appear in it. Files stored before
encryption (rows without a key id) still download, and ``encrypt_attachments`` converts them in
place, online, resumably and idempotently.
"""

import hashlib
import io
import os
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError

import complaints.management.commands.encrypt_attachments as command
from complaints import attachment_crypto
from complaints.attachment_crypto import CHUNK_SIZE, AttachmentDecryptionError
from complaints.attachments import attachment_open_content
from complaints.models import Attachment
from tests.factories import ComplaintFactory
from tests.keys._support import BackgroundReads, api_for

pytestmark = pytest.mark.django_db

MARKER = b"IBAN GB33 BUKB 2020 1555 5555 55 - passport 123456789"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def complaint(customer):
    return ComplaintFactory(customer=customer)


def distinctive(size: int) -> bytes:
    """Text of ``size`` bytes, every 64-byte window unique (so any leaked slice is found)."""
    lines = b"".join(b"%s line %08d\n" % (MARKER, n) for n in range(size // 60 + 1))
    return lines[:size]


def upload(client, complaint, content: bytes, name="statement.txt"):
    resp = client.post(
        f"/api/complaints/{complaint.pk}/attachments/",
        {"file": ContentFile(content, name=name)},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    return resp.json()


def download(client, attachment_id) -> bytes:
    resp = client.get(f"/api/attachments/{attachment_id}/download/")
    assert resp.status_code == 200, resp.content
    return b"".join(resp.streaming_content)


def raw_media(media) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file())


def legacy_attachment(complaint, content: bytes) -> Attachment:
    """A row and a plaintext file as they were stored before encryption existed."""
    attachment = Attachment(
        complaint=complaint,
        uploaded_by=complaint.customer,
        original_name="old.txt",
        content_type="text/plain",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save("old", ContentFile(content), save=False)
    attachment.save()
    return attachment


def encrypt(content: bytes) -> tuple[bytes, bytes]:
    key = attachment_crypto.new_data_key()
    return key, b"".join(attachment_crypto.encrypt_chunks(data_key=key, plaintext=[content]))


def decrypt(key: bytes, blob: bytes) -> bytes:
    return b"".join(attachment_crypto.decrypt_chunks(data_key=key, stream=io.BytesIO(blob)))


def records(blob: bytes) -> tuple[bytes, list[bytes]]:
    size = attachment_crypto.NONCE_SIZE + CHUNK_SIZE + attachment_crypto.TAG_SIZE
    header, body = blob[: attachment_crypto.HEADER.size], blob[attachment_crypto.HEADER.size :]
    return header, [body[i : i + size] for i in range(0, len(body), size)]


# --- the format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 200_000]
)
def test_round_trip_at_every_chunk_boundary(size):
    content = os.urandom(size)
    key, blob = encrypt(content)
    assert decrypt(key, blob) == content
    header, chunks = records(blob)
    assert len(chunks) == max(1, -(-size // CHUNK_SIZE))


def test_input_pieces_of_any_size_give_the_same_plaintext():
    content = os.urandom(3 * CHUNK_SIZE + 5)
    key = attachment_crypto.new_data_key()
    pieces = [content[i : i + 1000] for i in range(0, len(content), 1000)]
    blob = b"".join(attachment_crypto.encrypt_chunks(data_key=key, plaintext=pieces))
    assert decrypt(key, blob) == content


def _flip(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1 :]


def test_every_kind_of_tampering_is_refused():
    content = distinctive(3 * CHUNK_SIZE + 100)
    key, blob = encrypt(content)
    header, (c0, c1, c2, c3) = records(blob)
    tampered = {
        "a flipped byte": _flip(blob, len(blob) // 2),
        "a flipped header byte": _flip(blob, 6),
        "chunks swapped": header + c1 + c0 + c2 + c3,
        "last chunk dropped": header + c0 + c1 + c2,
        "cut inside a chunk": blob[:-10],
        "a chunk repeated": header + c0 + c0 + c1 + c2 + c3,
        "a chunk appended": blob + c3,
        "header only": header,
        "empty": b"",
    }
    refused = []
    for what, bad in tampered.items():
        try:
            decrypt(key, bad)
        except AttachmentDecryptionError:
            refused.append(what)
    assert refused == list(tampered)
    with pytest.raises(AttachmentDecryptionError):
        decrypt(attachment_crypto.new_data_key(), blob)


def test_a_wrapped_key_opens_only_for_its_own_attachment():
    data_key, own, other = attachment_crypto.new_data_key(), uuid.uuid4(), uuid.uuid4()
    wrapped = attachment_crypto.wrap_data_key(data_key=data_key, attachment_id=own)

    assert attachment_crypto.unwrap_data_key(wrapped=wrapped, attachment_id=own) == data_key
    with pytest.raises(AttachmentDecryptionError):
        attachment_crypto.unwrap_data_key(wrapped=wrapped, attachment_id=other)


def test_master_keys_are_checked(settings):
    assert attachment_crypto.check_master_keys() == []
    for bad in ["no-colon", "k1:c2hvcnQ=", "k 1:" + "A" * 43 + "=", f"a:{'A' * 43}=,a:{'B' * 43}="]:
        settings.ATTACHMENT_MASTER_KEYS = bad
        assert [e.id for e in attachment_crypto.check_master_keys()] == ["complaints.E001"], bad


# --- upload and download ----------------------------------------------------------------


def test_raw_media_holds_no_plaintext_of_uploads(customer_client, complaint, media):
    small = MARKER + b" small statement\n"
    large = b"%PDF-1.7\n" + distinctive(600_000)
    created = [
        upload(customer_client, complaint, small),
        upload(customer_client, complaint, large, "s.pdf"),
    ]

    stored = raw_media(media)
    assert MARKER not in stored
    assert b"%PDF" not in stored
    for offset in range(0, len(large) - 64, 4096):
        assert large[offset : offset + 64] not in stored
    assert download(customer_client, created[0]["id"]) == small
    assert download(customer_client, created[1]["id"]) == large
    for body, content in zip(created, [small, large], strict=True):
        row = Attachment.objects.get(pk=body["id"])
        assert row.key_id == attachment_crypto.current_master_key_id()
        assert row.sha256 == hashlib.sha256(content).hexdigest() == body["sha256"]


def test_each_file_has_its_own_key(customer_client, complaint):
    first = upload(customer_client, complaint, MARKER)
    second = upload(customer_client, complaint, MARKER)
    rows = Attachment.objects.filter(pk__in=[first["id"], second["id"]])
    assert len({bytes(row.wrapped_key) for row in rows}) == 2
    assert len({row.file.open("rb").read() for row in rows}) == 2


def test_a_tampered_first_chunk_is_a_json_404(customer_client, complaint):
    created = upload(customer_client, complaint, MARKER)
    row = Attachment.objects.get(pk=created["id"])
    path = row.file.path
    with open(path, "r+b") as f:
        f.seek(40)
        byte = f.read(1)
        f.seek(40)
        f.write(bytes([byte[0] ^ 1]))

    resp = customer_client.get(f"/api/attachments/{created['id']}/download/")
    assert resp.status_code == 404
    assert resp.json() == {"detail": "The attachment's content is no longer available."}


def test_a_tampered_later_chunk_breaks_the_transfer(agent_client, complaint):
    content = distinctive(3 * CHUNK_SIZE)
    created = upload(agent_client, complaint, content)
    row = Attachment.objects.get(pk=created["id"])
    with open(row.file.path, "r+b") as f:
        f.seek(-100, os.SEEK_END)
        byte = f.read(1)
        f.seek(-100, os.SEEK_END)
        f.write(bytes([byte[0] ^ 1]))

    resp = agent_client.get(f"/api/attachments/{created['id']}/download/")
    assert resp.status_code == 200  # the first chunk was sound
    with pytest.raises(AttachmentDecryptionError):
        b"".join(resp.streaming_content)


def test_a_checksum_mismatch_breaks_the_transfer(agent_client, complaint):
    created = upload(agent_client, complaint, MARKER)
    Attachment.objects.filter(pk=created["id"]).update(sha256="0" * 64)

    resp = agent_client.get(f"/api/attachments/{created['id']}/download/")
    with pytest.raises(AttachmentDecryptionError, match="SHA-256"):
        b"".join(resp.streaming_content)


def test_a_master_key_no_longer_configured_is_a_json_404(agent_client, complaint, settings):
    created = upload(agent_client, complaint, MARKER)
    settings.ATTACHMENT_MASTER_KEYS = "other:" + "A" * 43 + "="

    resp = agent_client.get(f"/api/attachments/{created['id']}/download/")
    assert resp.status_code == 404


# --- files stored before encryption -----------------------------------------------------


def test_a_legacy_plaintext_file_still_downloads(agent_client, complaint):
    legacy = legacy_attachment(complaint, MARKER)
    assert download(agent_client, legacy.pk) == MARKER


def test_encrypt_attachments_converts_in_place_and_is_idempotent(agent_client, complaint, media):
    contents = [distinctive(n) for n in (100, CHUNK_SIZE, 3 * CHUNK_SIZE + 7)]
    legacy = [legacy_attachment(complaint, content) for content in contents]
    assert MARKER in raw_media(media)

    call_command("encrypt_attachments")
    call_command("encrypt_attachments")

    assert MARKER not in raw_media(media)
    assert len([p for p in media.rglob("*") if p.is_file()]) == len(contents)
    assert not Attachment.objects.filter(key_id="").exists()
    for row, content in zip(legacy, contents, strict=True):
        assert download(agent_client, row.pk) == content


def test_encrypt_attachments_resumes_after_a_crash_in_either_step(
    agent_client, complaint, media, monkeypatch
):
    contents = [distinctive(5000 + n) for n in range(4)]
    legacy = [legacy_attachment(complaint, content) for content in contents]
    real_delete, real_encrypt = FileSystemStorage.delete, attachment_crypto.encrypt_chunks
    deletes = []

    def crash_before_deleting_the_second_plaintext(storage, name):
        if not name.endswith(".enc"):
            deletes.append(name)
            if len(deletes) == 2:
                raise RuntimeError("killed after the row was updated")
        real_delete(storage, name)

    with monkeypatch.context() as patch:
        patch.setattr(FileSystemStorage, "delete", crash_before_deleting_the_second_plaintext)
        with pytest.raises(RuntimeError):
            call_command("encrypt_attachments")

    def crash_while_writing_the_copy(**kwargs):
        for n, piece in enumerate(real_encrypt(**kwargs)):
            if n == 1:
                raise RuntimeError("killed half-way through the copy")
            yield piece

    with monkeypatch.context() as patch:
        patch.setattr(attachment_crypto, "encrypt_chunks", crash_while_writing_the_copy)
        with pytest.raises(RuntimeError):
            call_command("encrypt_attachments")
    assert MARKER in raw_media(media)  # plaintext left by both crashes

    call_command("encrypt_attachments")

    assert MARKER not in raw_media(media)
    assert len([p for p in media.rglob("*") if p.is_file()]) == len(contents)
    for row, content in zip(legacy, contents, strict=True):
        assert download(agent_client, row.pk) == content


def test_a_checksum_mismatch_leaves_the_file_and_fails_the_command(complaint, media):
    legacy = legacy_attachment(complaint, MARKER)
    Attachment.objects.filter(pk=legacy.pk).update(sha256="0" * 64)

    with pytest.raises(CommandError, match="1 file"):
        call_command("encrypt_attachments")

    assert Attachment.objects.get(pk=legacy.pk).key_id == ""
    assert raw_media(media) == MARKER


def test_a_download_that_read_the_row_before_conversion_still_succeeds(complaint):
    legacy = legacy_attachment(complaint, MARKER)
    stale = Attachment.objects.get(pk=legacy.pk)

    call_command("encrypt_attachments")

    assert stale.key_id == ""
    assert b"".join(attachment_open_content(attachment=stale)) == MARKER


@pytest.mark.django_db(transaction=True)
def test_encrypt_attachments_while_the_api_serves_downloads(live_server, complaint, monkeypatch):
    contents = [distinctive(2000 + n * CHUNK_SIZE) for n in range(4)]
    legacy = [legacy_attachment(complaint, content) for content in contents]
    client = api_for(live_server, complaint.customer)

    def read():
        for row, content in zip(legacy, contents, strict=True):
            resp = client.get(f"/api/attachments/{row.pk}/download/")
            assert resp.status_code == 200, resp.text[:200]
            assert resp.content == content

    encrypt_one = command.attachment_encrypt_stored
    with BackgroundReads(read) as reads:

        def encrypt_then_read(**kwargs):
            done = encrypt_one(**kwargs)
            reads.step()
            return done

        monkeypatch.setattr(command, "attachment_encrypt_stored", encrypt_then_read)
        call_command("encrypt_attachments")

    assert reads.failures == []
    assert not Attachment.objects.filter(key_id="").exists()
