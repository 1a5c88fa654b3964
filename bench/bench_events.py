"""Event pipeline benchmark against a local Tansu broker, PostgreSQL and Redis.

1. Relay throughput: N pending outbox rows → Kafka (events/s).
2. End-to-end latency at a steady rate: complaint_create commit → notify_receipt task done
   (outbox → relay → Kafka → consumer → Celery (Redis) → worker), p50/p99.

Run: uv run python bench/bench_events.py [--events 20000] [--rate 100] [--seconds 10]
Uses a throwaway database (bench_complaints_events) and Redis db 6 unless REDIS_URL is set.
"""

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_project.settings_test")
os.environ.setdefault("TEST_DB_NAME", "bench_complaints_events")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from events.dev_broker import DevBroker  # noqa: E402


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def bench_relay(n: int) -> float:
    from django.utils import timezone

    from events.kafka import make_producer
    from events.models import OutboxEvent
    from events.relay import publish_outbox_batch

    aggregates = [uuid.uuid4() for _ in range(500)]
    now = timezone.now()
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                type="complaint.updated",
                aggregate_id=aggregates[i % len(aggregates)],
                payload={"reference": f"CMP-2026-{i:06d}", "status": "new", "priority": "normal"},
                occurred_at=now,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    producer = make_producer()
    start = time.perf_counter()
    published = 0
    while True:
        count = publish_outbox_batch(producer, batch_size=settings.EVENTS_RELAY_BATCH_SIZE)
        if not count:
            break
        published += count
    elapsed = time.perf_counter() - start
    producer.close()
    assert published == n, (published, n)
    OutboxEvent.objects.all().delete()
    return n / elapsed


def bench_latency(rate: float, seconds: float) -> list[float]:
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from accounts.models import Role
    from complaints.services import complaint_create
    from complaints_project.celery import app
    from events.consumer import EventConsumer
    from events.relay import OutboxRelay
    from tests.factories import CategoryFactory, UserFactory

    customer = UserFactory(role=Role.CUSTOMER)
    UserFactory(role=Role.AGENT)
    category = CategoryFactory()
    committed: dict[str, float] = {}
    done: dict[str, float] = {}

    def on_done(task_id=None, task=None, **kw):
        if task.name == "complaints.tasks.notify_receipt":
            done[kw["args"][0]["aggregate_id"]] = time.perf_counter()

    task_postrun.connect(on_done, weak=False)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")

    relay = OutboxRelay(poll_seconds=1)
    consumer = EventConsumer(
        consumer_overrides={
            "max_poll_interval_ms": 3000,
            "session_timeout_ms": 3000,
            "heartbeat_interval_ms": 500,
            "fetch_max_wait_ms": 10,
        }
    )

    def run(target):
        try:
            target()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(t,), daemon=True) for t in (relay.run, consumer.run)
    ]
    for t in threads:
        t.start()
    with start_worker(
        app,
        pool="threads",
        concurrency=8,
        perform_ping_check=False,
        loglevel="ERROR",
        shutdown_timeout=10,
    ):
        # Warm-up: wait for the consumer group to form.
        warm = complaint_create(
            customer=customer, category=category, title="warm-up", description="x", actor=customer
        )
        deadline = time.monotonic() + 30
        while str(warm.pk) not in done and time.monotonic() < deadline:
            time.sleep(0.05)
        interval = 1.0 / rate
        total = int(rate * seconds)
        next_at = time.perf_counter()
        for i in range(total):
            complaint = complaint_create(
                customer=customer,
                category=category,
                title=f"bench {i}",
                description="x",
                actor=customer,
            )
            committed[str(complaint.pk)] = time.perf_counter()
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        deadline = time.monotonic() + 60
        while any(k not in done for k in committed) and time.monotonic() < deadline:
            time.sleep(0.1)
    relay.stop()
    consumer.stop()
    for t in threads:
        t.join(15)
    return [(done[k] - v) * 1000 for k, v in committed.items() if k in done], len(committed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    broker = DevBroker().start()
    settings.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from events.kafka import ensure_topics

        ensure_topics(partitions=6, replication=1)
        throughput = bench_relay(args.events)
        print(
            f"relay throughput: {throughput:,.0f} events/s ({args.events} events, "
            f"batch {settings.EVENTS_RELAY_BATCH_SIZE})"
        )
        latencies, sent = bench_latency(args.rate, args.seconds)
        print(
            f"end-to-end commit -> notify_receipt done at {args.rate:.0f} events/s for "
            f"{args.seconds:.0f}s: {len(latencies)}/{sent} done, "
            f"p50 {statistics.median(latencies):.1f} ms, p99 {pct(latencies, 99):.1f} ms, "
            f"max {max(latencies):.1f} ms"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        broker.stop()


if __name__ == "__main__":
    main()
