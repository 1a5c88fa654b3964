"""The wire format: what decode accepts, and what it dead-letters with a reason."""

import json

import pytest

from events import dispatch
from events.envelope import InvalidEvent, decode, encode
from tests.events.conftest import valid_envelope


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "unparseable"),
        (b"[]", "unparseable"),
        (b'{"event_id": "x"}', "missing fields"),
    ],
)
def test_decode_rejects_garbage(raw, reason):
    with pytest.raises(InvalidEvent, match=reason):
        decode(raw)


def test_decode_rejects_unknown_version_and_type():
    base = valid_envelope()
    with pytest.raises(InvalidEvent, match="schema_version"):
        decode(encode({**base, "schema_version": 99}))
    with pytest.raises(InvalidEvent, match="unknown type"):
        decode(encode({**base, "type": "complaint.exploded"}))


@pytest.mark.parametrize(
    "overrides",
    [{"schema_version": [1]}, {"schema_version": {"v": 1}}, {"type": ["complaint.created"]}],
)
def test_decode_rejects_unhashable_version_or_type(overrides):
    with pytest.raises(InvalidEvent):
        decode(json.dumps(valid_envelope(**overrides)).encode())


def test_a_type_is_known_once_an_app_registers_it(monkeypatch):
    monkeypatch.setattr(dispatch, "_HANDLERS", {})
    envelope = valid_envelope(type="parcel.lost")
    with pytest.raises(InvalidEvent, match="unknown type"):
        decode(encode(envelope))
    dispatch.register_handlers("parcel.lost", [])  # known, even with no handler
    assert decode(encode(envelope)).type == "parcel.lost"
