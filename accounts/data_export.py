"""Right of access (GDPR art. 15): everything we hold about the caller, as JSON-ready dicts.

Selectors only (reads). The profile is accounts' own; every other section comes from the
apps that hold the data, through ``accounts.personal_data`` (complaints registers its
complaints, comments, feedback and attachments). Other people appear only by role ("you",
"staff", "system"), never by name, email or id.
"""

from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.personal_data import isoformat_or_none, personal_data_export


def export_profile(*, user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "time_zone": user.time_zone,
        "email_verified_at": isoformat_or_none(user.email_verified_at),
        "date_joined": isoformat_or_none(user.date_joined),
        "last_login": isoformat_or_none(user.last_login),
        "emails_turned_off": sorted(user.email_opt_outs.values_list("kind", flat=True)),
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    return {
        "exported_at": isoformat_or_none(timezone.now()),
        "profile": export_profile(user=user),
        **personal_data_export(user=user),
    }
