"""The kinds of notification a user can turn email off for: a registry other apps fill.

accounts stores each person's choices (``EmailOptOut``) but knows no complaint: an app that
sends notifications registers its kinds from ``AppConfig.ready()`` (a key, the label the
account page shows, and the roles that can receive it). Preferences name a kind by its key
and are checked against this registry, so an unknown key is a 400, never a stored row.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    roles: frozenset[str]


_kinds: dict[str, NotificationKind] = {}


def notification_kind_register(kind: NotificationKind) -> None:
    """Add (or, under the same key, replace) a kind."""
    _kinds[kind.key] = kind


def notification_kinds_for(role: str) -> list[NotificationKind]:
    """The kinds a user of ``role`` can receive, in registration order."""
    return [kind for kind in _kinds.values() if role in kind.roles]


def notification_kind_check(*, key: str, role: str) -> NotificationKind:
    """The kind called ``key`` if a user of ``role`` receives it; otherwise a ValidationError."""
    kind = _kinds.get(key)
    if kind is None or role not in kind.roles:
        raise ValidationError({"email": [f"'{key[:64]}' is not a notification you receive."]})
    return kind
