"""Readiness checks for the event pipeline (listed in settings.HEALTH_CHECKS).

Kafka round trips are cached for a few seconds so a busy probe cannot hammer the broker.
"""

import threading
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone
from kafka import TopicPartition

from events.kafka import make_admin, make_consumer
from events.models import OutboxEvent

CheckResult = tuple[bool, dict[str, Any]]
KAFKA_CACHE_SECONDS = 5
LAG_CACHE_SECONDS = 10
TIMEOUT_MS = 1500
# Wall-clock bound of one Kafka check: kafka-python bounds some steps only by its own
# defaults (10 s to open the connection to the node found by bootstrap, not configurable).
DEADLINE_SECONDS = 4.0


def _within_deadline(compute) -> CheckResult:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = compute()
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller
            outcome["error"] = exc

    # A daemon thread: on a silent broker it finishes (and closes its client) on its own.
    thread = threading.Thread(target=run, name="health-kafka", daemon=True)
    thread.start()
    thread.join(DEADLINE_SECONDS)
    if thread.is_alive():
        return False, {"error": "timeout"}
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _cached(key: str, seconds: int, compute) -> CheckResult:
    hit = cache.get(key)
    if hit is not None:
        return hit[0], hit[1]
    try:
        ok, details = _within_deadline(compute)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        ok, details = False, {"error": exc.__class__.__name__}
    cache.set(key, (ok, details), timeout=seconds)
    return ok, details


def _kafka() -> CheckResult:
    admin = make_admin(bootstrap_timeout_ms=TIMEOUT_MS, request_timeout_ms=TIMEOUT_MS)
    try:
        topics = set(admin.list_topics())
    finally:
        admin.close()
    missing = sorted({settings.EVENTS_TOPIC, settings.EVENTS_DLQ_TOPIC} - topics)
    return not missing, ({"missing_topics": missing} if missing else {})


def check_kafka() -> CheckResult:
    return _cached("health:kafka", KAFKA_CACHE_SECONDS, _kafka)


def check_outbox() -> CheckResult:
    pending = OutboxEvent.objects.filter(published_at__isnull=True)
    stats = pending.aggregate(oldest=Min("occurred_at"))
    count = pending.count()
    age = (timezone.now() - stats["oldest"]).total_seconds() if stats["oldest"] else 0.0
    ok = (
        count <= settings.EVENTS_OUTBOX_MAX_PENDING
        and age <= settings.EVENTS_OUTBOX_MAX_AGE_SECONDS
    )
    return ok, {"pending": count, "oldest_pending_seconds": round(age, 1)}


def _consumer_lag() -> CheckResult:
    consumer = make_consumer(
        bootstrap_timeout_ms=TIMEOUT_MS, request_timeout_ms=TIMEOUT_MS + 500, client_id="health"
    )
    try:
        partitions = consumer.partitions_for_topic(settings.EVENTS_TOPIC) or set()
        tps = [TopicPartition(settings.EVENTS_TOPIC, p) for p in sorted(partitions)]
        ends = consumer.end_offsets(tps, timeout_ms=TIMEOUT_MS) if tps else {}
        lag = 0
        for tp in tps:
            committed = consumer.committed(tp, timeout_ms=TIMEOUT_MS) or 0
            lag += max(ends.get(tp, 0) - committed, 0)
    finally:
        consumer.close(autocommit=False)
    limit = settings.EVENTS_CONSUMER_MAX_LAG
    return (lag <= limit if limit else True), {"lag": lag, "partitions": len(tps)}


def check_consumer_lag() -> CheckResult:
    """Reported always; fails readiness only when EVENTS_CONSUMER_MAX_LAG is set and exceeded."""
    ok, details = _cached("health:consumer_lag", LAG_CACHE_SECONDS, _consumer_lag)
    if not settings.EVENTS_CONSUMER_MAX_LAG:
        ok = True
    return ok, details
