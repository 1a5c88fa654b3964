"""Keyed blind index: unique, exactly matchable emails while the emails stay encrypted.

Rows get the index under ``BLIND_INDEX_KEY``. While a rotation runs (``manage.py
rotate_blind_index_key``), rows not recomputed yet still carry the index under
``BLIND_INDEX_KEY_PREVIOUS``, so lookups match either (``email_blind_indexes``).
"""

import hashlib
import hmac

from django.conf import settings


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _blind_index(key: str, email: str) -> str:
    return hmac.new(key.encode(), normalize_email(email).encode(), hashlib.sha256).hexdigest()


def email_blind_index(email: str) -> str:
    """The index a row stores: under the current key."""
    return _blind_index(settings.BLIND_INDEX_KEY, email)


def email_blind_indexes(email: str) -> list[str]:
    """Every index a row may still carry for this email: current key first, then previous."""
    keys = [settings.BLIND_INDEX_KEY, settings.BLIND_INDEX_KEY_PREVIOUS]
    return [_blind_index(key, email) for key in keys if key]
