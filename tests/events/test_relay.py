"""Relay: outbox rows reach the real broker once, in order, whatever fails in between."""

import json
import threading
from collections import Counter, defaultdict

import pytest
from django.db import connection, transaction

from complaints import services
from complaints.workflow import Status
from events import relay as relay_module
from events.kafka import ensure_topics
from events.models import OutboxEvent
from events.relay import connect_outside_django, publish_batch
from tests.events.conftest import (
    RelayThread,
    create_complaint,
    publish_outbox_batch,
    read_topic,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def test_created_complaint_reaches_the_topic_with_its_envelope(people, producer, kafka_topics):
    complaint = create_complaint(people["customer"], people["category"])
    assert publish_outbox_batch(producer) == 1
    event = OutboxEvent.objects.get()
    assert event.published_at is not None

    [record] = read_topic(kafka_topics.EVENTS_TOPIC, expected=1)
    assert record.key == str(complaint.pk).encode()
    body = json.loads(record.value)
    assert body == {
        "event_id": str(event.event_id),
        "type": "complaint.created",
        "schema_version": 1,
        "occurred_at": event.occurred_at.isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": event.payload,
    }
    assert publish_outbox_batch(producer) == 0  # nothing left


def test_rolled_back_complaint_is_never_published(people, producer, kafka_topics):
    def failing_use_case():
        with transaction.atomic():
            create_complaint(people["customer"], people["category"])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_use_case()
    assert publish_outbox_batch(producer) == 0
    assert read_topic(kafka_topics.EVENTS_TOPIC, idle=0.5) == []


def test_relay_wakes_on_notify(people, kafka_topics):
    with RelayThread(poll_seconds=60, max_backoff=0.5) as relay:
        create_complaint(people["customer"], people["category"])
        wait_until(lambda: relay.published_total == 1, timeout=5)  # long before the 60 s poll
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()


def test_broker_down_then_back_every_event_delivered_once(people, kafka_topics, kafka_broker):
    with RelayThread(poll_seconds=0.5, max_backoff=0.5) as relay:
        kafka_broker.stop()
        complaints = [
            create_complaint(people["customer"], people["category"], title=f"c{i}")
            for i in range(200)
        ]
        assert len(complaints) == 200
        pending = OutboxEvent.objects.filter(published_at__isnull=True)
        assert pending.count() == 200
        kafka_broker.start()
        ensure_topics(partitions=3, replication=1)  # memory broker: it came back empty
        wait_until(lambda: not pending.exists(), timeout=60, interval=0.2)
        assert relay.published_total == 200

    records = read_topic(kafka_topics.EVENTS_TOPIC, expected=200)
    ids = [json.loads(r.value)["event_id"] for r in records]
    assert len(ids) == 200
    expected = {str(e) for e in OutboxEvent.objects.values_list("event_id", flat=True)}
    assert set(ids) == expected


def test_failed_records_stay_pending_with_the_error(people, kafka_topics):
    create_complaint(people["customer"], people["category"])

    class DownProducer:
        def send(self, *args, **kwargs):
            raise relay_module.KafkaError("broker down")

        def flush(self, timeout=None):
            pass

    result = publish_batch(DownProducer())
    assert (result.published, result.failed) == (0, 1)
    event = OutboxEvent.objects.get()
    assert event.published_at is None
    assert event.attempts == 1
    assert "broker down" in event.last_error


def test_concurrent_relays_publish_each_event_once_and_in_order(people, kafka_topics):
    complaints = [
        create_complaint(people["customer"], people["category"], title=f"c{i}") for i in range(5)
    ]
    agent = people["agent"]
    # Interleave the complaints' events so every batch mixes them.
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER):
        for complaint in complaints:
            services.complaint_transition(complaint=complaint, actor=agent, to_status=status)
    for i in range(40):
        services.comment_create(complaint=complaints[i % 5], author=agent, body=f"note {i}")
    total = OutboxEvent.objects.count()
    assert total == 5 + 15 + 40

    errors = []

    def run():
        from events.kafka import make_producer

        p = make_producer()
        try:
            while OutboxEvent.objects.filter(published_at__isnull=True).exists():
                publish_outbox_batch(p, batch_size=7)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            p.close(timeout=5)
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []

    records = read_topic(kafka_topics.EVENTS_TOPIC, expected=total)
    ids = [json.loads(r.value)["event_id"] for r in records]
    assert len(ids) == total
    assert not [i for i, n in Counter(ids).items() if n > 1]
    # Per complaint, the wire order is the outbox (commit) order.
    order = {str(eid): pk for eid, pk in OutboxEvent.objects.values_list("event_id", "id")}
    per_key = defaultdict(list)
    partitions = defaultdict(set)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        per_key[r.key].append(order[json.loads(r.value)["event_id"]])
        partitions[r.key].add(r.partition)
    assert len(per_key) == 5
    for key, seq in per_key.items():
        assert seq == sorted(seq), key
        assert len(partitions[key]) == 1


def test_row_held_by_another_relay_holds_back_the_later_rows_of_its_complaint(
    people, producer, kafka_topics
):
    complaint = create_complaint(people["customer"], people["category"])
    agent = people["agent"]
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=status)
    first, middle, last = OutboxEvent.objects.order_by("id")

    # Another relay holds the middle row: this one may send the first row, not the last.
    other = connect_outside_django()
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM events_outboxevent WHERE id = %s FOR UPDATE", [middle.id]
            )
        result = relay_module.publish_batch(producer)
        assert (result.published, result.deferred) == (1, 1)
    finally:
        other.rollback()
        other.close()
    assert publish_outbox_batch(producer) == 2

    records = read_topic(kafka_topics.EVENTS_TOPIC, expected=3)
    ids = [json.loads(r.value)["event_id"] for r in sorted(records, key=lambda r: r.offset)]
    assert ids == [str(first.event_id), str(middle.event_id), str(last.event_id)]


def test_relay_killed_between_publish_and_mark_republishes(
    people, producer, kafka_topics, monkeypatch
):
    create_complaint(people["customer"], people["category"])
    real_mark = relay_module._mark

    def crash(*args, **kwargs):
        raise SystemExit("relay killed")

    monkeypatch.setattr(relay_module, "_mark", crash)
    with pytest.raises(SystemExit):
        publish_outbox_batch(producer)
    assert OutboxEvent.objects.get().published_at is None  # the mark rolled back
    monkeypatch.setattr(relay_module, "_mark", real_mark)
    assert publish_outbox_batch(producer) == 1

    records = read_topic(kafka_topics.EVENTS_TOPIC, expected=2)
    ids = [json.loads(r.value)["event_id"] for r in records]
    assert len(ids) == 2
    assert len(set(ids)) == 1
