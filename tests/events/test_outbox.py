"""Outbox rows are written by the signal receivers, in the change's transaction."""

import json
import select
import uuid

import pytest
from django.db import transaction

from accounts.models import Role
from complaints import services
from complaints.models import Priority
from complaints.workflow import Status
from events.envelope import InvalidEvent, decode, encode, envelope_for
from events.models import OutboxEvent
from events.relay import connect_outside_django
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

FORBIDDEN = ("Secret details", "My parcel", "@example.com", "private note", "public answer")


def _create(customer, category, title="My parcel was crushed"):
    return services.complaint_create(
        customer=customer,
        category=category,
        title=title,
        description="Secret details about my address",
        channel="web",
        priority=Priority.NORMAL,
        actor=customer,
    )


def _no_personal_data(event: OutboxEvent, *extra: str):
    text = json.dumps(event.payload)
    for needle in (*FORBIDDEN, *extra):
        assert needle not in text, f"{needle!r} leaked into {event.type}"


def test_create_writes_one_event_with_the_envelope(customer, category):
    complaint = _create(customer, category)
    event = OutboxEvent.objects.get()
    assert event.type == "complaint.created"
    assert event.aggregate_id == complaint.pk
    assert event.published_at is None
    assert event.schema_version == 1
    assert event.payload["reference"] == complaint.reference
    assert event.payload["status"] == Status.NEW
    assert event.payload["priority"] == "normal"
    assert event.payload["category_id"] == category.pk
    _no_personal_data(event, customer.full_name, customer.email)
    envelope = json.loads(encode(envelope_for(event)))
    assert set(envelope) == {
        "event_id",
        "type",
        "schema_version",
        "occurred_at",
        "aggregate_id",
        "payload",
    }
    assert decode(encode(envelope)).event_id == str(event.event_id)


def test_rolled_back_change_leaves_no_event(customer, category):
    def failing_use_case():
        with transaction.atomic():
            _create(customer, category)
            assert OutboxEvent.objects.count() == 1
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_use_case()
    assert OutboxEvent.objects.count() == 0


def test_internal_note_event_has_flag_and_no_text(customer, category, agent):
    complaint = _create(customer, category)
    services.comment_create(complaint=complaint, author=agent, body="private note", internal=True)
    services.comment_create(complaint=complaint, author=agent, body="public answer")
    internal, public = OutboxEvent.objects.filter(type="complaint.commented").order_by("id")
    assert internal.payload["internal"] is True
    assert public.payload["internal"] is False
    for event in (internal, public):
        _no_personal_data(event)
        assert "body" not in event.payload
        assert event.payload["author_id"] == str(agent.pk)


def test_every_use_case_writes_its_event(customer, category, supervisor):
    agent = UserFactory(role=Role.AGENT)
    complaint = _create(customer, category)
    services.complaint_assign(complaint=complaint, actor=supervisor, assignee=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_reroute(
        complaint=complaint, actor=supervisor, priority=Priority.HIGH, category=CategoryFactory()
    )
    services.complaint_edit(complaint=complaint, actor=None, title="A new secret title")
    types = list(OutboxEvent.objects.order_by("id").values_list("type", flat=True))
    assert types == [
        "complaint.created",
        "complaint.assigned",
        "complaint.status_changed",
        "complaint.updated",
        "complaint.updated",
    ]
    events = list(OutboxEvent.objects.order_by("id"))
    assert events[1].payload["to_assignee_id"] == str(agent.pk)
    assert events[2].payload["from_status"] == "new"
    assert events[2].payload["to_status"] == "acknowledged"
    assert events[3].payload["changes"]["priority"] == {"from": "normal", "to": "high"}
    assert events[4].payload["changes"] == {"title": {"changed": True}}
    for event in events:
        _no_personal_data(event, "A new secret title")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "unparseable"),
        (b"[]", "unparseable"),
        (b'{"event_id": "x"}', "missing fields"),
    ],
)
def test_decode_rejects_garbage(raw, reason):
    with pytest.raises(InvalidEvent, match=reason):
        decode(raw)


def test_decode_rejects_unknown_version_and_type():
    base = {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.created",
        "schema_version": 1,
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "aggregate_id": str(uuid.uuid4()),
        "payload": {},
    }
    with pytest.raises(InvalidEvent, match="schema_version"):
        decode(encode({**base, "schema_version": 99}))
    with pytest.raises(InvalidEvent, match="unknown type"):
        decode(encode({**base, "type": "complaint.exploded"}))


@pytest.mark.django_db(transaction=True)
def test_notify_outbox_is_delivered_on_commit(customer, category):
    listener = connect_outside_django()
    listener.autocommit = True
    try:
        listener.cursor().execute("LISTEN outbox")
        with transaction.atomic():
            _create(customer, category)
            assert select.select([listener], [], [], 0.2)[0] == []  # nothing before commit
        assert select.select([listener], [], [], 5)[0]
        listener.poll()
        assert [n.channel for n in listener.notifies] == ["outbox"]
    finally:
        listener.close()
