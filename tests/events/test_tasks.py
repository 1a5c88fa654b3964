"""Task effects called directly (SLA scan, triage, analytics, health); hand-off to real Redis."""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from complaints import tasks
from complaints.models import HistoryEntry, HistoryKind, Priority
from complaints.sla import scan_breaches
from complaints.workflow import Status
from events import health
from events.models import OutboxEvent, ProcessedEvent
from tests.events.conftest import create_complaint
from tests.factories import CategoryFactory, ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db


def _envelope(complaint, type="complaint.created", **payload):
    return {
        "event_id": str(uuid.uuid4()),
        "type": type,
        "schema_version": 1,
        "occurred_at": timezone.now().isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": payload,
    }


def test_sla_scan_stamps_each_breach_once(mailoutbox):
    now = timezone.now()
    late_ack = ComplaintFactory(ack_due_at=now - timedelta(minutes=5))
    late_resolve = ComplaintFactory(
        status=Status.IN_PROGRESS,
        acknowledged_at=now - timedelta(days=3),
        resolve_due_at=now - timedelta(minutes=1),
    )
    ComplaintFactory()  # on time
    ComplaintFactory(
        status=Status.RESOLVED,
        resolve_due_at=now - timedelta(days=1),
        acknowledged_at=now - timedelta(days=3),
        ack_due_at=now - timedelta(days=2),
    )

    assert scan_breaches(now=now) == {"acknowledge": 1, "resolve": 1}
    assert scan_breaches(now=now + timedelta(minutes=1)) == {"acknowledge": 0, "resolve": 0}
    late_ack.refresh_from_db()
    late_resolve.refresh_from_db()
    assert late_ack.ack_breached_at == now
    assert late_resolve.resolve_breached_at == now
    assert HistoryEntry.objects.filter(kind=HistoryKind.SLA_BREACHED).count() == 2
    events = OutboxEvent.objects.filter(type="complaint.sla_breached").order_by("id")
    assert [e.payload["clock"] for e in events] == ["acknowledge", "resolve"]

    supervisor = UserFactory(role=Role.SUPERVISOR)
    UserFactory(role=Role.AGENT)
    envelope = _envelope(late_ack, "complaint.sla_breached", clock="acknowledge", due_at=None)
    tasks.handle_sla_breached(envelope)
    tasks.handle_sla_breached(envelope)
    assert [m.to for m in mailoutbox] == [[supervisor.email]]
    assert late_ack.reference in mailoutbox[0].subject


def test_triage_default_assignee_round_robin_and_urgency(customer):
    agents = [UserFactory(role=Role.AGENT) for _ in range(3)]
    default = UserFactory(role=Role.AGENT)
    with_default = CategoryFactory(default_assignee=default)
    plain = CategoryFactory()

    c1 = create_complaint(customer, with_default)
    tasks.handle_triage(_envelope(c1))
    c1.refresh_from_db()
    assert c1.assignee_id == default.pk

    picked = []
    for i in range(4):
        c = create_complaint(customer, plain, title=f"plain {i}")
        tasks.handle_triage(_envelope(c))
        c.refresh_from_db()
        picked.append(c.assignee_id)
    # Never-assigned agents first, then the one whose last assignment is the oldest.
    assert set(picked[:3]) == {a.pk for a in agents}
    assert picked[3] == default.pk

    urgent = create_complaint(customer, plain, title="Child injury from unsafe toy")
    envelope = _envelope(urgent)
    tasks.handle_triage(envelope)
    tasks.handle_triage(envelope)  # redelivered: no second effect
    urgent.refresh_from_db()
    assert urgent.priority == Priority.URGENT
    changes = HistoryEntry.objects.filter(complaint=urgent, kind=HistoryKind.PRIORITY_CHANGED)
    assert [(h.actor_id, h.from_value, h.to_value) for h in changes] == [(None, "normal", "urgent")]
    assert (
        HistoryEntry.objects.filter(complaint=urgent, kind=HistoryKind.ASSIGNEE_CHANGED).count()
        == 1
    )
    assert ProcessedEvent.objects.filter(event_id=envelope["event_id"]).count() == 1


def test_triage_keeps_an_assignment_a_handler_made_first(customer, category):
    from complaints.services import complaint_assign

    UserFactory(role=Role.AGENT)
    handler = UserFactory(role=Role.SUPERVISOR)
    complaint = create_complaint(customer, category)
    complaint_assign(complaint=complaint, actor=handler, assignee=handler)

    assert tasks.handle_triage(_envelope(complaint)) is True
    complaint.refresh_from_db()
    assert complaint.assignee_id == handler.pk
    kinds = HistoryEntry.objects.filter(complaint=complaint, kind=HistoryKind.ASSIGNEE_CHANGED)
    assert kinds.count() == 1


def test_triage_of_a_deleted_complaint_does_nothing(customer, category):
    complaint = create_complaint(customer, category)
    envelope = _envelope(complaint)
    OutboxEvent.objects.all().delete()
    complaint.delete()

    assert tasks.handle_triage(envelope) is True  # claimed: a redelivery will not retry it
    assert not OutboxEvent.objects.exists()


def test_analytics_is_asked_to_refresh_the_event_day(customer, category, monkeypatch):
    from celery import current_app

    sent = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args=None, **kw: sent.append((name, args))
    )
    complaint = create_complaint(customer, category)
    envelope = _envelope(complaint)
    tasks.handle_analytics(envelope)
    tasks.handle_analytics(envelope)
    day = envelope["occurred_at"][:10]
    assert sent == [("analytics.refresh_daily_stats", [day])]


def test_internal_note_task_never_emails(customer, category, agent, mailoutbox):
    from complaints import services

    complaint = create_complaint(customer, category)
    note = services.comment_create(complaint=complaint, author=agent, body="secret", internal=True)
    # Even if an event lied about the flag, the database says internal: nothing is sent.
    for internal in (True, False):
        envelope = _envelope(
            complaint, "complaint.commented", comment_id=str(note.pk), internal=internal
        )
        tasks.handle_public_reply(envelope)
    assert mailoutbox == []


def test_outbox_health_reports_pending_and_age(customer, category, settings):
    create_complaint(customer, category)
    ok, details = health.check_outbox()
    assert ok
    assert details["pending"] == 1
    settings.EVENTS_OUTBOX_MAX_PENDING = 0
    ok, details = health.check_outbox()
    assert not ok


@pytest.mark.kafka
def test_kafka_health_and_consumer_lag(kafka_topics, producer, settings):
    assert health.check_kafka() == (True, {})
    for _i in range(3):
        producer.send(settings.EVENTS_TOPIC, key=b"k", value=b"{}").get(10)
    ok, details = health.check_consumer_lag()
    assert ok
    assert details["lag"] == 3
    assert details["partitions"] == 3

    from django.core.cache import cache

    cache.clear()
    settings.KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:1"
    ok, details = health.check_kafka()
    assert not ok
    assert "error" in details


def test_handle_event_retries_only_the_failed_handler(
    customer, category, agent, monkeypatch, mailoutbox
):
    from events import dispatch
    from events.tasks import HandlersFailed, handle_event

    complaint = create_complaint(customer, category)
    envelope = _envelope(complaint)
    calls = []
    real_triage = dispatch.handler(dispatch.TRIAGE)

    def failing_triage(e):
        calls.append("triage")
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(dispatch._REGISTRY, dispatch.TRIAGE, failing_triage)
    with pytest.raises(HandlersFailed):
        handle_event.run(envelope)
    # The other handlers ran and committed their claims; triage's rolled back.
    done = set(
        ProcessedEvent.objects.filter(event_id=envelope["event_id"]).values_list(
            "handler", flat=True
        )
    )
    assert done == {dispatch.RECEIPT, dispatch.ANALYTICS}
    assert len(mailoutbox) == 1

    monkeypatch.setitem(dispatch._REGISTRY, dispatch.TRIAGE, real_triage)
    assert handle_event.run(envelope) == {
        dispatch.RECEIPT: False,
        dispatch.TRIAGE: True,
        dispatch.ANALYTICS: False,
    }
    assert len(mailoutbox) == 1  # the receipt is not sent again
    assert calls == ["triage"]
    complaint.refresh_from_db()
    assert complaint.assignee_id == agent.pk


def test_hand_off_queues_one_task_per_event(celery_queue):
    from events import dispatch
    from events.envelope import decode

    def queued() -> list[dict]:
        with celery_queue.connection_for_write() as conn:
            client = conn.default_channel.client
            return [json.loads(m) for m in client.lrange("celery", 0, -1)]

    envelope = _envelope(ComplaintFactory())
    assert dispatch.hand_off(decode(json.dumps(envelope).encode())) == 1
    [message] = queued()
    headers = message["headers"]
    assert headers["task"] == dispatch.HANDLE_EVENT
    assert headers["id"] == f"{envelope['event_id']}:handle"
    # Monitoring shows the event's type and id, not a repr of the whole envelope.
    assert headers["argsrepr"] == f"[complaint.created {envelope['event_id']}]"
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert args == [envelope]

    updated = {**envelope, "event_id": str(uuid.uuid4()), "type": "complaint.updated"}
    assert dispatch.hand_off(decode(json.dumps(updated).encode())) == 0
    assert len(queued()) == 1
