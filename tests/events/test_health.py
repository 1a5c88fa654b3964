"""Readiness checks of the event pipeline: outbox backlog, Kafka, consumer lag, silent brokers."""

import threading
import time
import uuid

import pytest
from django.core.cache import cache

from events import health
from events.models import OutboxEvent
from tests.helpers.events import silence


@pytest.mark.django_db
def test_outbox_health_reports_pending_and_age(settings):
    OutboxEvent.objects.create(type="complaint.created", aggregate_id=uuid.uuid4())
    ok, details = health.check_outbox()
    assert ok
    assert details["pending"] == 1
    settings.EVENTS_OUTBOX_MAX_PENDING = 0
    ok, details = health.check_outbox()
    assert not ok


@pytest.mark.kafka
@pytest.mark.django_db
def test_kafka_health_and_consumer_lag(kafka_topics, producer, settings):
    assert health.check_kafka() == (True, {})
    for _i in range(3):
        producer.send(settings.EVENTS_TOPIC, key=b"k", value=b"{}").get(10)
    ok, details = health.check_consumer_lag()
    assert ok
    assert details["lag"] == 3
    assert details["partitions"] == 3

    cache.clear()
    settings.KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:1"
    ok, details = health.check_kafka()
    assert not ok
    assert "error" in details


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
            silence(private_broker.process)  # up, connected, silent
            return result

        consumer.end_offsets = end_offsets
        return consumer

    outcome: dict[str, object] = {}

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
        silence(private_broker.process)
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
