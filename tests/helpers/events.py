"""Event pipeline helpers: reading topics, driving the relay and the consumer, envelopes."""

import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from django.db import connection, transaction
from kafka import TopicPartition

from complaints.services import complaint_create
from events.kafka import make_consumer
from events.relay import OutboxRelay, publish_batch

FAST_GROUP = {
    "max_poll_interval_ms": 3000,
    "session_timeout_ms": 3000,
    "heartbeat_interval_ms": 500,
}


def silence(process: subprocess.Popen) -> None:
    """SIGSTOP the broker and return only once every thread of it has stopped.

    ``kill`` returns before the target's threads are off the CPU: a thread still running can
    answer one more request, so a test that sends right after the signal would race the stop.
    """
    process.send_signal(signal.SIGSTOP)
    tasks = Path(f"/proc/{process.pid}/task")

    def stopped() -> bool:
        return all(_thread_state(stat) == "T" for stat in tasks.glob("*/stat"))

    wait_until(stopped, timeout=10.0, interval=0.005)


def _thread_state(stat: Path) -> str:
    # /proc/<pid>/task/<tid>/stat: "tid (comm) state ..."; comm may hold spaces and parentheses.
    return stat.read_text().rsplit(")", 1)[1].split()[0]


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def publish_outbox_batch(producer, batch_size: int = 500) -> int:
    """One relay batch; how many rows it published. Every record must be acknowledged."""
    result = publish_batch(producer, batch_size)
    assert not result.failed, result.errors
    return result.published


def read_topic(topic: str, expected: int | None = None, timeout: float = 10.0, idle: float = 1.0):
    """Every record on ``topic`` (no group: assign + seek to the beginning)."""
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


def create_complaint(customer, category, title="Broken parcel", **kwargs):
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
        self.relay = OutboxRelay(**kwargs)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.error = None

    def _run(self):
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
