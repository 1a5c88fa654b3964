"""Kafka clients configured once for the relay, the consumer, admin and health checks."""

from typing import Any

from django.conf import settings
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import TopicAlreadyExistsError


def bootstrap_servers() -> list[str]:
    return [s.strip() for s in settings.KAFKA_BOOTSTRAP_SERVERS.split(",") if s.strip()]


def make_producer(**overrides: Any) -> KafkaProducer:
    """Durable producer: every record acknowledged by all in-sync replicas, idempotent retries.

    Idempotence (supported by kafka-python 3 and Tansu) keeps per-partition order with up to
    five requests in flight even when a request is retried.
    """
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers(),
        "acks": "all",
        "enable_idempotence": True,
        "retries": 5,
        "max_in_flight_requests_per_connection": 5,
        "linger_ms": 5,
        "batch_size": 64 * 1024,
        "request_timeout_ms": 5000,
        "delivery_timeout_ms": 15000,
        "max_block_ms": 5000,
        "bootstrap_timeout_ms": 5000,
        "reconnect_backoff_max_ms": 2000,
        "client_id": "complaints-outbox-relay",
    }
    config.update(overrides)
    return KafkaProducer(**config)


def make_consumer(*topics: str, **overrides: Any) -> KafkaConsumer:
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers(),
        "group_id": settings.EVENTS_CONSUMER_GROUP,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_poll_records": 500,
        # An idle fetch waits at most this long for data (500 ms by default): the bound on the
        # latency a quiet partition adds before a new event is seen.
        "fetch_max_wait_ms": 100,
        "max_poll_interval_ms": 300_000,
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 3_000,
        "bootstrap_timeout_ms": 5000,
        "client_id": "complaints-event-consumer",
    }
    config.update(overrides)
    return KafkaConsumer(*topics, **config)


def make_admin(**overrides: Any) -> KafkaAdminClient:
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers(),
        "request_timeout_ms": 5000,
        "bootstrap_timeout_ms": 5000,
        "client_id": "complaints-admin",
    }
    config.update(overrides)
    return KafkaAdminClient(**config)


def ensure_topics(
    *, partitions: int | None = None, replication: int | None = None, admin=None
) -> dict[str, bool]:
    """Create the events topic and its dead-letter topic; return {topic: created}. Idempotent."""
    partitions = partitions or settings.EVENTS_TOPIC_PARTITIONS
    replication = replication or settings.EVENTS_TOPIC_REPLICATION
    own_admin = admin is None
    admin = admin or make_admin()
    try:
        existing = set(admin.list_topics())
        result = {}
        for topic in (settings.EVENTS_TOPIC, settings.EVENTS_DLQ_TOPIC):
            if topic in existing:
                result[topic] = False
                continue
            try:
                admin.create_topics(
                    {topic: {"num_partitions": partitions, "replication_factor": replication}}
                )
                result[topic] = True
            except TopicAlreadyExistsError:
                result[topic] = False
        return result
    finally:
        if own_admin:
            admin.close()
