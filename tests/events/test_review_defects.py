"""Regression tests for event-pipeline defects: poison shapes, rewind on commit errors,
health timeouts against a hung broker, the analytics safety net on the beat schedule."""

import contextlib
import json
import signal
import threading
import time
import uuid

import pytest
from kafka.errors import KafkaTimeoutError

from events import health
from events.consumer import EventConsumer, HandOffError
from events.dev_broker import DevBroker
from events.envelope import InvalidEvent, decode
from events.kafka import ensure_topics
from tests.events.conftest import FAST_GROUP, drain_consumer, read_topic, valid_envelope


@pytest.mark.parametrize(
    "overrides",
    [{"schema_version": [1]}, {"schema_version": {"v": 1}}, {"type": ["complaint.created"]}],
)
def test_decode_rejects_unhashable_version_or_type(overrides):
    with pytest.raises(InvalidEvent):
        decode(json.dumps(valid_envelope(**overrides)).encode())


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_unhashable_poison_message_goes_to_the_dlq(producer, kafka_topics):
    good = valid_envelope()
    poison = json.dumps(valid_envelope(schema_version=[1])).encode()
    producer.send(kafka_topics.EVENTS_TOPIC, key=b"k", value=poison).get(10)
    producer.send(kafka_topics.EVENTS_TOPIC, key=b"k", value=json.dumps(good).encode()).get(10)

    seen = []
    consumer = EventConsumer(consumer_overrides=FAST_GROUP, hand_off=seen.append)
    try:
        drain_consumer(consumer, until=lambda: seen, timeout=10)
    finally:
        consumer.close()
    assert [e.event_id for e in seen] == [good["event_id"]]
    assert [r.value for r in read_topic(kafka_topics.EVENTS_DLQ_TOPIC, expected=1)] == [poison]


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_failed_hand_off_is_not_skipped_when_the_commit_also_fails(producer, kafka_topics):
    events = [valid_envelope() for _ in range(3)]
    for event in events:
        producer.send(
            kafka_topics.EVENTS_TOPIC, key=b"k", value=json.dumps(event).encode(), partition=0
        )
    producer.flush(10)

    seen, failed_once = [], []

    def hand_off(event):
        if event.event_id == events[1]["event_id"] and not failed_once:
            failed_once.append(event.event_id)
            raise RuntimeError("celery broker down")
        seen.append(event.event_id)

    consumer = EventConsumer(consumer_overrides=FAST_GROUP, hand_off=hand_off)
    real_commit = consumer.consumer.commit
    commit_failures = []

    def commit(offsets=None, **kw):
        if not commit_failures:
            commit_failures.append(offsets)
            raise KafkaTimeoutError("coordinator not available")
        return real_commit(offsets, **kw)

    consumer.consumer.commit = commit
    try:
        deadline = time.monotonic() + 15
        while len(seen) < 3 and time.monotonic() < deadline:
            with contextlib.suppress(HandOffError, KafkaTimeoutError):
                consumer.run_once(timeout_ms=200)
    finally:
        consumer.close()
    assert commit_failures, "the commit failure was not exercised"
    assert seen == [e["event_id"] for e in events]


@pytest.fixture
def private_broker(settings):
    """A broker of this test's own (it gets SIGSTOPped: up, connected, silent)."""
    broker = DevBroker().start()
    suffix = uuid.uuid4().hex[:8]
    settings.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap
    settings.EVENTS_TOPIC = f"complaints.events.{suffix}"
    settings.EVENTS_DLQ_TOPIC = f"complaints.events.dlq.{suffix}"
    settings.EVENTS_CONSUMER_GROUP = f"private-{suffix}"
    try:
        ensure_topics(partitions=1, replication=1)
        yield broker
    finally:
        if broker.process is not None:
            broker.process.send_signal(signal.SIGCONT)
        broker.stop()


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_consumer_stops_promptly_while_the_broker_is_silent(private_broker, settings):
    from events.kafka import make_producer

    producer = make_producer()
    try:
        producer.send(
            settings.EVENTS_TOPIC, key=b"k", value=json.dumps(valid_envelope()).encode()
        ).get(10)
    finally:
        producer.close(timeout=5)

    def hand_off(event):
        # The broker goes silent between the hand-off and the offset commit.
        private_broker.process.send_signal(signal.SIGSTOP)
        consumer.stop()  # SIGTERM arrives meanwhile

    consumer = EventConsumer(consumer_overrides=FAST_GROUP, hand_off=hand_off)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    thread.join(15)
    assert not thread.is_alive(), "consumer did not exit on SIGTERM while the broker was silent"


def test_beat_schedule_runs_the_analytics_safety_net():
    from complaints_project.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "analytics.refresh_recent_days" in tasks


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_consumer_lag_health_does_not_hang_when_the_broker_stops_answering(
    private_broker, monkeypatch
):
    real_make_consumer = health.make_consumer

    def make_consumer(*args, **kwargs):
        consumer = real_make_consumer(*args, **kwargs)
        real_end_offsets = consumer.end_offsets

        def end_offsets(*a, **kw):
            result = real_end_offsets(*a, **kw)
            private_broker.process.send_signal(signal.SIGSTOP)  # up, connected, silent
            return result

        consumer.end_offsets = end_offsets
        return consumer

    outcome = {}

    def probe():
        try:
            outcome["result"] = health._consumer_lag()
        except Exception as exc:  # noqa: BLE001 - a bounded failure is what we want
            outcome["error"] = exc

    monkeypatch.setattr(health, "make_consumer", make_consumer)
    thread = threading.Thread(target=probe, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "health check hung on a silent broker"
    assert time.monotonic() - started < 10
    assert "error" in outcome


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_kafka_health_does_not_hang_when_the_broker_stops_answering(private_broker, monkeypatch):
    real_make_admin = health.make_admin

    def make_admin(**kwargs):
        admin = real_make_admin(**kwargs)
        private_broker.process.send_signal(signal.SIGSTOP)
        return admin

    monkeypatch.setattr(health, "make_admin", make_admin)
    outcome = {}

    def probe():
        outcome["r"] = health._cached("health:test-silent", 0, health._kafka)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(6)
    assert not thread.is_alive(), "kafka health check hung on a silent broker"
    assert outcome["r"][0] is False
