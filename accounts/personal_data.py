"""Personal data other apps hold about a user: the registry of its providers.

accounts owns the person but not everything written about them. An app that stores personal
data (complaints) registers a provider from its ``AppConfig.ready()``; the export
(``accounts.data_export``) puts every provider's sections into the document, and the erasure
(``accounts.erasure``) calls every provider's ``erase`` inside its one transaction. So accounts
never imports the apps that depend on it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import User

# What a provider writes over the free text a user wrote when that user is erased.
ERASED_TEXT = "[erased]"


@dataclass(frozen=True)
class PersonalDataProvider:
    """One app's part of a user's export and erasure.

    ``export(user=...)`` returns exactly the top-level ``sections`` of the export document,
    each a list of JSON objects. ``erase(user=...)`` runs inside the erasure's transaction and
    defers effects outside the database (deleting files) with ``transaction.on_commit``.
    ``renamed(user=..., old_name=...)``, if given, runs inside the transaction that changed
    the user's full name, for what the app derived from it (complaints: search tokens).
    """

    name: str
    sections: tuple[str, ...]
    export: Callable[..., dict[str, list[dict[str, Any]]]]
    erase: Callable[..., None]
    renamed: Callable[..., None] | None = None


# The document's own top-level keys, which no provider may take.
RESERVED_SECTIONS = ("exported_at", "profile")

_providers: dict[str, PersonalDataProvider] = {}


def personal_data_provider_register(provider: PersonalDataProvider) -> None:
    """Add (or, under the same name, replace) a provider; its sections must be its own."""
    taken = set(RESERVED_SECTIONS)
    for other in _providers.values():
        if other.name != provider.name:
            taken.update(other.sections)
    clash = taken.intersection(provider.sections)
    if clash:
        raise ValueError(f"Export sections already taken: {sorted(clash)}")
    _providers[provider.name] = provider


def personal_data_providers() -> tuple[PersonalDataProvider, ...]:
    """Registered providers, in registration order (the order of the export's sections)."""
    return tuple(_providers.values())


def isoformat_or_none(value: datetime | None) -> str | None:
    """Timestamps in the export document: ISO 8601 with the offset, or null."""
    return value.isoformat() if value is not None else None


def personal_data_export(*, user: User) -> dict[str, list[dict[str, Any]]]:
    """Every provider's sections for ``user``, in registration order."""
    document: dict[str, list[dict[str, Any]]] = {}
    for provider in personal_data_providers():
        part = provider.export(user=user)
        if tuple(part) != provider.sections:
            raise ValueError(
                f"Provider {provider.name!r} exported {list(part)}, not {list(provider.sections)}"
            )
        document.update(part)
    return document


def personal_data_erase(*, user: User) -> None:
    """Every provider's erasure for ``user``, inside the erasure's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("personal_data_erase must run inside the erasure's transaction")
    for provider in personal_data_providers():
        provider.erase(user=user)


def personal_data_renamed(*, user: User, old_name: str) -> None:
    """Tell every provider that ``user`` (already saved) was called ``old_name`` before."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("personal_data_renamed must run inside the rename's transaction")
    for provider in personal_data_providers():
        if provider.renamed is not None:
            provider.renamed(user=user, old_name=old_name)
