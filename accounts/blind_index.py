"""Keyed blind index: unique, exactly matchable emails while the emails stay encrypted."""

import hashlib
import hmac

from django.conf import settings


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_blind_index(email: str) -> str:
    return hmac.new(
        settings.BLIND_INDEX_KEY.encode(), normalize_email(email).encode(), hashlib.sha256
    ).hexdigest()
