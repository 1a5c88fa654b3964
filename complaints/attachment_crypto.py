"""Attachment files encrypted at rest: AES-256-GCM in chunks under a random key per file.

File format (integers big-endian)::

    header  = b"CAGCM" || version (1 byte) || chunk size (4 bytes)
    chunk i = nonce_i (12 random bytes) || AES-256-GCM(data key, nonce_i, plaintext_i, aad_i)
    aad_i   = header || i (8 bytes) || last (1 byte: 1 on the final chunk, else 0)

Every chunk but the last carries exactly ``chunk size`` plaintext bytes, the last 0 to
``chunk size``. With the index and the last flag in the associated data, reordering, dropping,
repeating or truncating chunks fails authentication like any edited byte does; a reader
releases a chunk only once its tag is verified, and never holds more than two chunks.

The data key is wrapped with AES-256-GCM by the current master key of
``ATTACHMENT_MASTER_KEYS`` (associated data: the master key's id and the attachment's id, so a
wrapped key only opens the file of its own row). The row stores the master key's id and the
wrapped key; rotating a master key rewraps those 60 bytes per row and leaves the files alone.
"""

import base64
import binascii
import functools
import os
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks

MAGIC = b"CAGCM"
VERSION = 1
CHUNK_SIZE = 64 * 1024
NONCE_SIZE = 12
TAG_SIZE = 16
HEADER = struct.Struct(">5sBI")
_CHUNK_AAD = struct.Struct(">QB")
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class AttachmentDecryptionError(Exception):
    """The stored file is not a valid encryption of this attachment (edited, cut, wrong key)."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    wrapped: bytes


@functools.cache
def _parse_master_keys(value: str) -> tuple[MasterKey, ...]:
    keys = []
    for entry in value.split(","):
        key_id, _, encoded = entry.strip().partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded.encode())
        except (binascii.Error, ValueError):
            key = b""
        if not _KEY_ID.fullmatch(key_id) or len(key) != 32:
            raise ValueError("each entry must be key-id:base64url-of-32-random-bytes")
        keys.append(MasterKey(key_id=key_id, key=key))
    if len({k.key_id for k in keys}) != len(keys):
        raise ValueError("key ids must be unique")
    return tuple(keys)


def master_keys() -> tuple[MasterKey, ...]:
    """The configured master keys, the current (wrapping) one first."""
    return _parse_master_keys(settings.ATTACHMENT_MASTER_KEYS)


def current_master_key_id() -> str:
    return master_keys()[0].key_id


def check_master_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        master_keys()
    except ValueError as exc:
        return [checks.Error(f"ATTACHMENT_MASTER_KEYS: {exc}", id="complaints.E001")]
    return []


def _wrap_aad(key_id: str, attachment_id: UUID) -> bytes:
    return b"attachment-data-key|" + key_id.encode() + b"|" + attachment_id.bytes


def wrap_data_key(*, data_key: bytes, attachment_id: UUID) -> WrappedKey:
    master = master_keys()[0]
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(master.key).encrypt(nonce, data_key, _wrap_aad(master.key_id, attachment_id))
    return WrappedKey(key_id=master.key_id, wrapped=nonce + sealed)


def unwrap_data_key(*, wrapped: WrappedKey, attachment_id: UUID) -> bytes:
    by_id = {k.key_id: k for k in master_keys()}
    master = by_id.get(wrapped.key_id)
    if master is None:
        raise AttachmentDecryptionError(f"master key {wrapped.key_id!r} is not configured")
    blob = bytes(wrapped.wrapped)
    try:
        return AESGCM(master.key).decrypt(
            blob[:NONCE_SIZE], blob[NONCE_SIZE:], _wrap_aad(wrapped.key_id, attachment_id)
        )
    except InvalidTag as exc:
        raise AttachmentDecryptionError("the wrapped data key does not open") from exc


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``size``-byte blocks from arbitrary pieces; the last block may be shorter (or empty)."""
    buffer = bytearray()
    for piece in pieces:
        buffer += piece
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    yield bytes(buffer)


def encrypt_chunks(*, data_key: bytes, plaintext: Iterable[bytes]) -> Iterator[bytes]:
    """The encrypted file, piece by piece: the header, then one sealed record per chunk."""
    header = HEADER.pack(MAGIC, VERSION, CHUNK_SIZE)
    yield header
    aead = AESGCM(data_key)
    blocks = _rechunk(plaintext, CHUNK_SIZE)
    index, block = 0, next(blocks)
    for following in blocks:
        # A full block followed by an empty one is still the last: no empty record after it.
        if not following:
            break
        nonce = os.urandom(NONCE_SIZE)
        yield nonce + aead.encrypt(nonce, block, header + _CHUNK_AAD.pack(index, 0))
        index, block = index + 1, following
    nonce = os.urandom(NONCE_SIZE)
    yield nonce + aead.encrypt(nonce, block, header + _CHUNK_AAD.pack(index, 1))


def is_encrypted_file(stream: BinaryIO) -> bool:
    """Whether the stream starts with this format's header (the stream is rewound)."""
    start = stream.read(len(MAGIC))
    stream.seek(0)
    return start == MAGIC


def decrypt_chunks(*, data_key: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """Plaintext chunks of an encrypted file, each released only after its tag verifies."""
    header = stream.read(HEADER.size)
    try:
        magic, version, chunk_size = HEADER.unpack(header)
    except struct.error as exc:
        raise AttachmentDecryptionError("no header") from exc
    if magic != MAGIC or version != VERSION or not 0 < chunk_size <= 16 * 1024 * 1024:
        raise AttachmentDecryptionError("not an encrypted attachment of a known version")
    aead = AESGCM(data_key)
    record_size = NONCE_SIZE + chunk_size + TAG_SIZE
    index, record = 0, stream.read(record_size)
    while True:
        following = stream.read(record_size)
        last = not following
        if len(record) < NONCE_SIZE + TAG_SIZE or (len(record) < record_size and not last):
            raise AttachmentDecryptionError(f"chunk {index} is cut short")
        aad = header + _CHUNK_AAD.pack(index, 1 if last else 0)
        try:
            yield aead.decrypt(record[:NONCE_SIZE], record[NONCE_SIZE:], aad)
        except InvalidTag as exc:
            raise AttachmentDecryptionError(f"chunk {index} does not authenticate") from exc
        if last:
            return
        index, record = index + 1, following
