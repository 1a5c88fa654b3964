"""The wire format of events: a JSON envelope around the outbox payload."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events import dispatch

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = frozenset({1})


class InvalidEvent(ValueError):
    """A message the consumer cannot process; it goes to the dead-letter topic."""


def envelope_for(event) -> dict[str, Any]:
    return {
        "event_id": str(event.event_id),
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_at": event.occurred_at.isoformat(),
        "aggregate_id": str(event.aggregate_id),
        "payload": event.payload,
    }


def encode(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class Event:
    event_id: str
    type: str
    schema_version: int
    occurred_at: str
    aggregate_id: str
    payload: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type,
            "schema_version": self.schema_version,
            "occurred_at": self.occurred_at,
            "aggregate_id": self.aggregate_id,
            "payload": self.payload,
        }


def decode(raw: bytes | None) -> Event:
    """Parse and validate a message value; raise InvalidEvent with a reason otherwise."""
    if not raw:
        raise InvalidEvent("empty message")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"unparseable: {exc.__class__.__name__}") from exc
    if not isinstance(data, dict):
        raise InvalidEvent("unparseable: envelope is not an object")
    missing = {
        "event_id",
        "type",
        "schema_version",
        "occurred_at",
        "aggregate_id",
        "payload",
    } - set(data)
    if missing:
        raise InvalidEvent(f"missing fields: {', '.join(sorted(missing))}")
    # Type checks first: an unhashable value (list, object) would raise TypeError on ``in``
    # and crash the consumer on the same message forever instead of dead-lettering it.
    version = data["schema_version"]
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or version not in SUPPORTED_SCHEMA_VERSIONS
    ):
        raise InvalidEvent(f"unknown schema_version: {version!r:.100}")
    if not isinstance(data["type"], str) or not dispatch.is_known(data["type"]):
        raise InvalidEvent(f"unknown type: {str(data['type'])[:100]}")
    try:
        event_id = str(uuid.UUID(str(data["event_id"])))
        aggregate_id = str(uuid.UUID(str(data["aggregate_id"])))
        datetime.fromisoformat(str(data["occurred_at"]))
    except ValueError as exc:
        raise InvalidEvent(f"invalid field: {exc}") from exc
    if not isinstance(data["payload"], dict):
        raise InvalidEvent("payload is not an object")
    return Event(
        event_id=event_id,
        type=data["type"],
        schema_version=data["schema_version"],
        occurred_at=data["occurred_at"],
        aggregate_id=aggregate_id,
        payload=data["payload"],
    )
