"""RSA keys of the token signature: PEM handling, key ids, and a throwaway key for dev and test.

Imported by the settings and by scripts/jwt_keys.py, so it uses ``cryptography`` only (no
Django, no app code).
"""

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

_BEGIN = "-----BEGIN "


def pem_blocks(text: str) -> list[str]:
    """The PEM blocks of ``text``; ``\\n`` escapes count as newlines (one-line ``.env`` values)."""
    text = text.replace("\\n", "\n").strip()
    if not text:
        return []
    return [_BEGIN + block.strip() + "\n" for block in text.split(_BEGIN) if block.strip()]


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def key_id(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    numbers = public_key.public_numbers()
    jwk = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
    canonical = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def public_key_pem(public_key: rsa.RSAPublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def dev_private_key_pem(path: Path | None) -> str:
    """The key kept in ``path`` (made on first use), or a fresh one when ``path`` is None.

    Dev keeps it in a file so that every local process (runserver restarts included) signs and
    verifies with the same key; tests use one key per process.
    """
    if path is None:
        return new_private_key_pem()
    try:
        return path.read_text()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = new_private_key_pem()
    # Two processes starting at once: each writes its own file and the first to link it wins.
    scratch = path.with_name(f"{path.name}.{os.getpid()}")
    scratch.write_text(pem)
    scratch.chmod(0o600)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
    return path.read_text()
