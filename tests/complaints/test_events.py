"""Complaint events: each use case emits its event in its transaction, without personal data."""

import json

import pytest
from django.db import transaction

from accounts.models import Role
from complaints import events, services
from complaints.events import ComplaintEvent
from complaints.models import Priority
from complaints.workflow import Status
from events import dispatch
from events.models import OutboxEvent
from tests.helpers.factories import CategoryFactory, UserFactory

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


def test_create_emits_the_snapshot(customer, category):
    complaint = _create(customer, category)
    event = OutboxEvent.objects.get()
    assert event.type == "complaint.created"
    assert event.aggregate_id == complaint.pk
    assert event.payload == {
        "complaint_id": str(complaint.pk),
        "reference": complaint.reference,
        "status": "new",
        "priority": "normal",
        "category_id": category.pk,
        "assignee_id": None,
        "actor_id": str(customer.pk),
        "channel": "web",
        "created_at": complaint.created_at.isoformat(),
        "ack_due_at": complaint.ack_due_at.isoformat(),
        "resolve_due_at": complaint.resolve_due_at.isoformat(),
    }
    _no_personal_data(event, customer.full_name, customer.email)


def test_rolled_back_use_case_leaves_no_event(customer, category):
    def failing_use_case():
        with transaction.atomic():
            _create(customer, category)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_use_case()
    assert not OutboxEvent.objects.exists()


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


def test_every_use_case_emits_its_event(customer, category, supervisor):
    agent = UserFactory.create(role=Role.AGENT)
    complaint = _create(customer, category)
    services.complaint_assign(complaint=complaint, actor=supervisor, assignee=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    new_category = CategoryFactory.create()
    services.complaint_reroute(
        complaint=complaint, actor=supervisor, priority=Priority.HIGH, category=new_category
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
    events_ = list(OutboxEvent.objects.order_by("id"))
    assert events_[1].payload["to_assignee_id"] == str(agent.pk)
    assert events_[2].payload["from_status"] == "new"
    assert events_[2].payload["to_status"] == "acknowledged"
    assert events_[3].payload["changes"] == {
        "priority": {"from": "normal", "to": "high"},
        "category": {"from": category.pk, "to": new_category.pk},
    }
    assert events_[3].payload["priority"] == "high"
    assert events_[4].payload["changes"] == {"title": {"changed": True}}
    for event in events_:
        _no_personal_data(event, "A new secret title")


def test_priority_changes_are_built_from_priorities_not_parsed_back():
    # It used to take labels, try int("normal"), and pass any string through on ValueError.
    assert events.changes_payload({"priority": (Priority.NORMAL, Priority.URGENT)}) == {
        "priority": {"from": "normal", "to": "urgent"}
    }
    with pytest.raises(ValueError, match="not a priority"):
        events.changes_payload({"priority": (Priority.NORMAL, "not a priority")})


def test_handlers_run_complaints_first_then_analytics():
    assert dispatch.handlers_for(ComplaintEvent.CREATED) == (
        "complaints.tasks.notify_receipt",
        "complaints.tasks.triage_complaint",
        "analytics.handlers.sync_complaint",
    )
    assert dispatch.handlers_for(ComplaintEvent.SLA_BREACHED) == (
        "complaints.tasks.notify_sla_breached",
        "analytics.handlers.sync_complaint",
    )
    assert dispatch.handlers_for(ComplaintEvent.UPDATED) == ("analytics.handlers.sync_complaint",)
    assert all(dispatch.is_known(event_type) for event_type in ComplaintEvent)


def test_every_handler_name_is_its_function():
    names = {name for event_type in ComplaintEvent for name in dispatch.handlers_for(event_type)}
    for name in names:
        function = dispatch.handler(name)
        assert f"{function.__module__}.{function.__name__}" == name
