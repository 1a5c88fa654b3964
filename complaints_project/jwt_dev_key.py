"""A throwaway RS256 key for dev and test, when JWT_PRIVATE_KEY is not set (prod requires it).

Imported by the settings, so it uses ``cryptography`` only (no Django, no app code).
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


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
