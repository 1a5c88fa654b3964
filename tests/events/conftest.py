"""Event pipeline fixtures: a real Tansu broker per session, real Redis and PostgreSQL.

Each test gets its own topics and consumer group, so nothing leaks between tests.
"""

import signal
import uuid
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings

from accounts.models import Role
from complaints_project.celery import app as celery_app
from events.dev_broker import DevBroker
from events.kafka import ensure_topics, make_producer
from tests.helpers.factories import CategoryFactory, UserFactory


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
    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
    ) as worker:
        yield worker


@pytest.fixture
def people(transactional_db):
    return {
        "customer": UserFactory.create(role=Role.CUSTOMER),
        "agent": UserFactory.create(role=Role.AGENT),
        "supervisor": UserFactory.create(role=Role.SUPERVISOR),
        "category": CategoryFactory.create(),
    }
