"""Event pipeline fixtures: a real Tansu broker per session, real Redis and PostgreSQL.

Each test gets its own topics and consumer group, so nothing leaks between tests.
"""

import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from accounts.models import Role
from complaints_project.celery import app as celery_app
from events.dev_broker import DevBroker
from events.kafka import ensure_topics, make_consumer, make_producer
from events.relay import publish_batch
from tests.factories import CategoryFactory, UserFactory

FAST_GROUP = {
    "max_poll_interval_ms": 3000,
    "session_timeout_ms": 3000,
    "heartbeat_interval_ms": 500,
}


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    broker = DevBroker(log=Path(tmp_path_factory.mktemp("tansu")) / "tansu.log").start()
    previous = django_settings.KAFKA_BOOTSTRAP_SERVERS
    django_settings.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap
    try:
        yield broker
    finally:
        django_settings.KAFKA_BOOTSTRAP_SERVERS = previous
        broker.stop()


@pytest.fixture
def kafka_topics(kafka_broker, settings):
    """Fresh topics and consumer group for this test (3 partitions)."""
    suffix = uuid.uuid4().hex[:8]
    settings.KAFKA_BOOTSTRAP_SERVERS = kafka_broker.bootstrap
    settings.EVENTS_TOPIC = f"complaints.events.{suffix}"
    settings.EVENTS_DLQ_TOPIC = f"complaints.events.dlq.{suffix}"
    settings.EVENTS_CONSUMER_GROUP = f"complaints-workers-{suffix}"
    ensure_topics(partitions=3, replication=1)
    return settings


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


@pytest.fixture
def producer(kafka_topics):
    p = make_producer()
    yield p
    p.close(timeout=5)


def publish_outbox_batch(producer, batch_size: int = 500) -> int:
    """One relay batch; how many rows it published. Every record must be acknowledged."""
    result = publish_batch(producer, batch_size)
    assert not result.failed, result.errors
    return result.published


def read_topic(topic: str, expected: int | None = None, timeout: float = 10.0, idle: float = 1.0):
    """Every record on ``topic`` (no group: assign + seek to the beginning)."""
    from kafka import TopicPartition

    consumer = make_consumer(group_id=None, client_id="test-reader")
    try:
        partitions = wait_until(lambda: consumer.partitions_for_topic(topic), timeout=5)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records = []
        deadline = time.monotonic() + timeout
        last_new = time.monotonic()
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=200)
            for msgs in batch.values():
                records.extend(msgs)
            if batch:
                last_new = time.monotonic()
            if expected is not None and len(records) >= expected:
                if time.monotonic() - last_new > 0.3:
                    break
            elif expected is None and time.monotonic() - last_new > idle:
                break
        return records
    finally:
        consumer.close(autocommit=False)


@pytest.fixture
def celery_queue():
    """An empty Celery queue in this test's Redis database."""
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    yield celery_app
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@pytest.fixture
def celery_worker(transactional_db, celery_queue):
    """A real Celery worker (solo pool, in this process) consuming this test's Redis queue."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
    ) as worker:
        yield worker


def valid_envelope(**overrides) -> dict:
    """A well-formed event envelope (fresh ids) with ``overrides`` applied."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.created",
        "schema_version": 1,
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "aggregate_id": str(uuid.uuid4()),
        "payload": {},
        **overrides,
    }


def drain_consumer(consumer, *, until, timeout: float = 20.0):
    """Poll and hand off until ``until()`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        consumer.run_once(timeout_ms=200)
        if until():
            return
    raise AssertionError("consumer did not reach the expected state")


@pytest.fixture
def people(transactional_db):
    return {
        "customer": UserFactory(role=Role.CUSTOMER),
        "agent": UserFactory(role=Role.AGENT),
        "supervisor": UserFactory(role=Role.SUPERVISOR),
        "category": CategoryFactory(),
    }


def create_complaint(customer, category, title="Broken parcel", **kwargs):
    from complaints.services import complaint_create

    with transaction.atomic():
        return complaint_create(
            customer=customer,
            category=category,
            title=title,
            description=kwargs.pop("description", "Secret details about me"),
            channel=kwargs.pop("channel", "web"),
            priority=kwargs.pop("priority", 2),
            actor=kwargs.pop("actor", customer),
        )


class RelayThread:
    """OutboxRelay.run() in a background thread (stops on exit)."""

    def __init__(self, **kwargs):
        from events.relay import OutboxRelay

        self.relay = OutboxRelay(**kwargs)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.error = None

    def _run(self):
        from django.db import connection

        try:
            self.relay.run()
        except Exception as exc:  # noqa: BLE001 - surfaced by the test
            self.error = exc
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self.relay

    def __exit__(self, *exc):
        self.relay.stop()
        self.thread.join(30)
        assert not self.thread.is_alive()
        assert self.error is None, self.error
