"""Consumer → Celery worker: effects happen once however often a message is delivered."""

import contextlib
import json
import threading
import time
from collections import defaultdict

import pytest
from django.core import mail
from django.db import transaction
from kafka.errors import KafkaTimeoutError

from complaints import services
from complaints.models import Complaint, HistoryEntry, HistoryKind
from complaints.workflow import Status
from events import relay as relay_module
from events.consumer import EventConsumer, HandOffError
from events.envelope import Event
from events.kafka import make_producer
from events.models import OutboxEvent, ProcessedEvent
from tests.helpers.events import (
    FAST_GROUP,
    create_complaint,
    drain_consumer,
    publish_outbox_batch,
    read_topic,
    silence,
    valid_envelope,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


class Recorder:
    def __init__(self):
        self.events = []

    def __call__(self, event):
        self.events.append(event)


def _consumer(**kwargs):
    return EventConsumer(consumer_overrides=FAST_GROUP, **kwargs)


def _publish_all(producer):
    while publish_outbox_batch(producer):
        pass


def test_poison_messages_go_to_the_dlq_and_the_consumer_keeps_going(people, producer, kafka_topics):
    good = valid_envelope()
    key = good["aggregate_id"].encode()
    poison = [
        b"\x00not json at all",
        json.dumps({**good, "schema_version": 7}).encode(),
        json.dumps({**good, "type": "complaint.teleported"}).encode(),
    ]
    for value in [*poison, json.dumps(good).encode()]:
        producer.send(kafka_topics.EVENTS_TOPIC, key=key, value=value).get(10)

    recorder = Recorder()
    consumer = _consumer(hand_off=recorder)
    try:
        drain_consumer(consumer, until=lambda: recorder.events)
    finally:
        consumer.close()
    assert [e.event_id for e in recorder.events] == [good["event_id"]]
    assert consumer.dead_lettered == 3

    dlq = read_topic(kafka_topics.EVENTS_DLQ_TOPIC, expected=3)
    assert sorted(r.value for r in dlq) == sorted(poison)
    reasons = sorted(dict(r.headers)["dlq.reason"].decode() for r in dlq)
    assert reasons[0].startswith("unknown schema_version")
    assert reasons[1].startswith("unknown type")
    assert reasons[2].startswith("unparseable")
    assert all(
        dict(r.headers)["dlq.source.topic"] == kafka_topics.EVENTS_TOPIC.encode() for r in dlq
    )

    # Offsets were committed: the group does not see them again.
    again = _consumer(hand_off=recorder)
    try:
        for _ in range(10):
            again.run_once(timeout_ms=300)
    finally:
        again.close()
    assert len(recorder.events) == 1


def test_per_complaint_order_is_kept_through_the_consumer(people, producer, kafka_topics):
    agent = people["agent"]
    complaints = [
        create_complaint(people["customer"], people["category"], title=f"c{i}") for i in range(4)
    ]
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        for complaint in complaints:
            services.complaint_transition(
                complaint=complaint, actor=agent, to_status=status, reason="done"
            )
    _publish_all(producer)
    total = OutboxEvent.objects.count()
    recorder = Recorder()
    consumer = _consumer(hand_off=recorder)
    try:
        drain_consumer(consumer, until=lambda: len(recorder.events) >= total)
    finally:
        consumer.close()
    per_complaint = defaultdict(list)
    for event in recorder.events:
        if event.type == "complaint.status_changed":
            per_complaint[event.aggregate_id].append(event.payload["to_status"])
    assert len(per_complaint) == 4
    for statuses in per_complaint.values():
        assert statuses == ["acknowledged", "in_progress", "resolved", "closed"]


def _emails_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_notifications_end_to_end(people, producer, kafka_topics, celery_worker, mailoutbox):
    customer, agent = people["customer"], people["agent"]
    complaint = create_complaint(customer, people["category"])
    services.comment_create(
        complaint=complaint, author=agent, body="PRIVATE internal note", internal=True
    )
    services.comment_create(complaint=complaint, author=agent, body="We are on it.")
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    _publish_all(producer)

    consumer = _consumer()
    try:
        drain_consumer(
            consumer,
            until=lambda: ProcessedEvent.objects.filter(
                handler="complaints.tasks.notify_status_changed"
            ).exists(),
            timeout=30,
        )
    finally:
        consumer.close()

    wait_until(lambda: len(_emails_to(customer.email)) >= 3, timeout=10)
    to_customer = _emails_to(customer.email)
    subjects = sorted(m.subject for m in to_customer)
    assert subjects == sorted(
        [
            f"We received your complaint {complaint.reference}",
            f"New reply on complaint {complaint.reference}",
            f"Complaint {complaint.reference}: Acknowledged",
        ]
    )
    for message in to_customer:
        assert "PRIVATE internal note" not in message.body
        assert "PRIVATE internal note" not in message.alternatives[0][0]
        assert message.alternatives[0][1] == "text/html"
    receipt = next(m for m in to_customer if m.subject.startswith("We received"))
    assert complaint.reference in receipt.body
    # Triage assigned the new complaint to the only agent, who got an email about it.
    wait_until(lambda: Complaint.objects.get(pk=complaint.pk).assignee_id == agent.pk)
    _publish_all(producer)  # triage's own complaint.assigned event
    consumer = _consumer()
    try:
        drain_consumer(consumer, until=lambda: _emails_to(agent.email), timeout=30)
    finally:
        consumer.close()
    assert "assigned to you" in _emails_to(agent.email)[0].subject


class CrashBeforeCommit(Exception):
    pass


def test_consumer_killed_before_commit_redelivers_without_double_effects(
    people, producer, kafka_topics, celery_worker, mailoutbox
):
    customer = people["customer"]
    complaints = [create_complaint(customer, people["category"], title=f"c{i}") for i in range(3)]
    _publish_all(producer)

    first = _consumer()

    def crash(offsets):
        raise CrashBeforeCommit

    first.commit = crash

    def run_until_crash():
        for _ in range(50):
            first.run_once(timeout_ms=300)

    with pytest.raises(CrashBeforeCommit):
        run_until_crash()
    first.consumer.close(autocommit=False)  # died: nothing committed

    receipts = ProcessedEvent.objects.filter(handler="complaints.tasks.notify_receipt")
    wait_until(lambda: receipts.count() >= 1, timeout=20)

    second = _consumer()
    try:
        drain_consumer(second, until=lambda: second.handled >= 3, timeout=30)
    finally:
        second.close()
    assert second.handled >= 1  # at least one message came again

    wait_until(lambda: receipts.count() == 3, timeout=20)
    handlers = ProcessedEvent.objects.filter(handler="complaints.tasks.triage_complaint")
    wait_until(lambda: handlers.count() == 3, timeout=20)
    time.sleep(1.0)  # let any redelivered duplicate run
    assert len(_emails_to(customer.email)) == 3
    for complaint in complaints:
        assert (
            HistoryEntry.objects.filter(
                complaint=complaint, kind=HistoryKind.ASSIGNEE_CHANGED
            ).count()
            == 1
        )


def test_relay_duplicates_have_one_effect(
    people, kafka_topics, celery_worker, mailoutbox, monkeypatch
):
    customer = people["customer"]
    complaint = create_complaint(customer, people["category"])
    producer = make_producer()
    try:
        real_mark = relay_module._mark
        monkeypatch.setattr(relay_module, "_mark", lambda *a: (_ for _ in ()).throw(SystemExit))
        with pytest.raises(SystemExit):
            publish_outbox_batch(producer)
        monkeypatch.setattr(relay_module, "_mark", real_mark)
        _publish_all(producer)
    finally:
        producer.close(timeout=5)
    assert len(read_topic(kafka_topics.EVENTS_TOPIC, expected=2)) == 2

    consumer = _consumer()
    try:
        drain_consumer(consumer, until=lambda: consumer.handled >= 2, timeout=30)
    finally:
        consumer.close()
    receipts = ProcessedEvent.objects.filter(handler="complaints.tasks.notify_receipt")
    wait_until(lambda: receipts.count() == 1, timeout=20)
    wait_until(
        lambda: HistoryEntry.objects.filter(kind=HistoryKind.ASSIGNEE_CHANGED).count() == 1,
        timeout=20,
    )
    time.sleep(1.0)
    assert len(_emails_to(customer.email)) == 1
    assert (
        HistoryEntry.objects.filter(complaint=complaint, kind=HistoryKind.ASSIGNEE_CHANGED).count()
        == 1
    )
    with transaction.atomic():
        pass


def test_unhashable_poison_message_goes_to_the_dlq(producer, kafka_topics):
    good = valid_envelope()
    poison = json.dumps(valid_envelope(schema_version=[1])).encode()
    producer.send(kafka_topics.EVENTS_TOPIC, key=b"k", value=poison).get(10)
    producer.send(kafka_topics.EVENTS_TOPIC, key=b"k", value=json.dumps(good).encode()).get(10)

    seen: list[Event] = []
    consumer = _consumer(hand_off=seen.append)
    try:
        drain_consumer(consumer, until=lambda: seen, timeout=10)
    finally:
        consumer.close()
    assert [e.event_id for e in seen] == [good["event_id"]]
    assert [r.value for r in read_topic(kafka_topics.EVENTS_DLQ_TOPIC, expected=1)] == [poison]


def test_failed_hand_off_is_not_skipped_when_the_commit_also_fails(producer, kafka_topics):
    events = [valid_envelope() for _ in range(3)]
    for event in events:
        producer.send(
            kafka_topics.EVENTS_TOPIC, key=b"k", value=json.dumps(event).encode(), partition=0
        )
    producer.flush(10)

    seen: list[str] = []
    failed_once: list[str] = []

    def hand_off(event):
        if event.event_id == events[1]["event_id"] and not failed_once:
            failed_once.append(event.event_id)
            raise RuntimeError("celery broker down")
        seen.append(event.event_id)

    consumer = _consumer(hand_off=hand_off)
    real_commit = consumer.consumer.commit
    commit_failures: list[object] = []

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


def test_consumer_stops_promptly_while_the_broker_is_silent(private_broker, settings):
    producer = make_producer()
    try:
        producer.send(
            settings.EVENTS_TOPIC, key=b"k", value=json.dumps(valid_envelope()).encode()
        ).get(10)
    finally:
        producer.close(timeout=5)

    def hand_off(event):
        # The broker goes silent between the hand-off and the offset commit.
        silence(private_broker.process)
        consumer.stop()  # SIGTERM arrives meanwhile

    consumer = _consumer(hand_off=hand_off)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    thread.join(15)
    assert not thread.is_alive(), "consumer did not exit on SIGTERM while the broker was silent"
