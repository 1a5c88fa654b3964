"""pgcrypto-encrypted model fields (django-pgcrypto-fields): cheap key derivation, no key in SQL.

``pgp_sym_encrypt`` defaults to iterated S2K: 65,536 rounds of hashing to stretch a human
passphrase, paid again by every ``pgp_sym_decrypt``. Measured here: 0.77 ms per decryption
and 0.43 ms per encryption, the largest CPU cost of the event pipeline and of list pages.
``PGCRYPTO_KEY`` is a random secret (production refuses one shorter than 32 characters), so
stretching adds nothing; salted S2K (``s2k-mode=1``) keeps a random salt per value, hence a
distinct session key per value, and costs ~0.01 ms. The cipher is AES-256.

A PGP message records its own S2K mode and cipher, so values written with the library's
defaults (iterated S2K, AES-128) still decrypt; only new writes use these options.

The library formats the key into the SQL text, where ``pg_stat_activity`` and statement logs
show it. Here the SQL reads it with ``current_setting('app.pgcrypto_key')``, a setting each
connection receives when it opens (``complaints_project/postgresql/base.py``).

Rotation (``manage.py rotate_pgcrypto_key``): while ``PGCRYPTO_KEY_PREVIOUS`` is set, reads go
through ``pgcrypto_decrypt_rotating()`` (accounts migration 0003), which tries the current key
and then the previous one; writes always use the current key.
"""

from django.conf import settings
from pgcrypto import fields as pgcrypto_fields

PGP_SYM_OPTIONS = "cipher-algo=aes256, s2k-mode=1"
KEY_SETTING = "app.pgcrypto_key"
PREVIOUS_KEY_SETTING = "app.pgcrypto_key_previous"
CURRENT_KEY_SQL = f"current_setting('{KEY_SETTING}')"

# ``%s`` takes the value (encryption) or the column and the cast (decryption).
PGP_SYM_ENCRYPT_SQL = (
    f"pgp_sym_encrypt(nullif(%s, NULL)::text, {CURRENT_KEY_SQL}, '{PGP_SYM_OPTIONS}')"
)
PGP_SYM_DECRYPT_SQL = f"pgp_sym_decrypt(%s, {CURRENT_KEY_SQL})::%s"
PGP_SYM_DECRYPT_ROTATING_SQL = "pgcrypto_decrypt_rotating(%s)::%s"


def _escape_option(value: str) -> str:
    # libpq splits ``options`` on whitespace unless escaped with a backslash.
    return "".join("\\" + ch if ch == "\\" or ch.isspace() else ch for ch in value)


def pgcrypto_connection_options(*, current: str, previous: str = "") -> str:
    """The libpq ``options`` that give a new connection the pgcrypto keys as settings."""
    options = [f"-c {KEY_SETTING}={_escape_option(current)}"]
    if previous:
        options.append(f"-c {PREVIOUS_KEY_SETTING}={_escape_option(previous)}")
    return " ".join(options)


class _KeyFromConnectionMixin:
    def get_placeholder(self, value, compiler, connection):
        return PGP_SYM_ENCRYPT_SQL

    def get_decrypt_sql(self, connection):
        if settings.PGCRYPTO_KEY_PREVIOUS:
            return PGP_SYM_DECRYPT_ROTATING_SQL
        return PGP_SYM_DECRYPT_SQL


class EncryptedTextField(_KeyFromConnectionMixin, pgcrypto_fields.TextPGPSymmetricKeyField):
    """Text encrypted with ``PGCRYPTO_KEY``."""


class EncryptedCharField(_KeyFromConnectionMixin, pgcrypto_fields.CharPGPSymmetricKeyField):
    """Char (with ``max_length`` validation) encrypted with ``PGCRYPTO_KEY``."""


class EncryptedEmailField(_KeyFromConnectionMixin, pgcrypto_fields.EmailPGPSymmetricKeyField):
    """Email encrypted with ``PGCRYPTO_KEY``."""
