"""``events.outbox.emit`` writes the row in the caller's transaction and wakes the relay."""

import json
import select
import uuid

import pytest
from django.db import transaction

from events.envelope import decode, encode, envelope_for
from events.models import OutboxEvent
from events.outbox import emit
from events.relay import connect_outside_django

pytestmark = pytest.mark.django_db


def _emit(**payload) -> OutboxEvent:
    return emit(type="complaint.created", aggregate_id=uuid.uuid4(), payload=payload)


def test_emit_writes_one_pending_row_with_the_envelope():
    aggregate_id = uuid.uuid4()
    event = emit(type="complaint.created", aggregate_id=aggregate_id, payload={"n": 1})
    stored = OutboxEvent.objects.get()
    assert stored.event_id == event.event_id
    assert (stored.type, stored.aggregate_id, stored.payload) == (
        "complaint.created",
        aggregate_id,
        {"n": 1},
    )
    assert stored.published_at is None
    assert stored.schema_version == 1
    envelope = json.loads(encode(envelope_for(stored)))
    assert set(envelope) == {
        "event_id",
        "type",
        "schema_version",
        "occurred_at",
        "aggregate_id",
        "payload",
    }
    assert decode(encode(envelope)).event_id == str(event.event_id)


def test_rolled_back_transaction_leaves_no_event():
    def failing_use_case():
        with transaction.atomic():
            _emit()
            assert OutboxEvent.objects.count() == 1
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_use_case()
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_notify_outbox_is_delivered_on_commit():
    listener = connect_outside_django()
    listener.autocommit = True
    try:
        listener.cursor().execute("LISTEN outbox")
        with transaction.atomic():
            _emit()
            _emit()
            assert select.select([listener], [], [], 0.2)[0] == []  # nothing before commit
        assert select.select([listener], [], [], 5)[0]
        listener.poll()
        # One wake-up per transaction, however many events it wrote.
        assert [n.channel for n in listener.notifies] == ["outbox"]
    finally:
        listener.close()
