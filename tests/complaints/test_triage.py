"""Triage of new complaints (the ``complaint.created`` handler): urgency, then an assignee."""

import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from complaints import services, tasks
from complaints.models import HistoryEntry, HistoryKind, Priority
from events.models import OutboxEvent, ProcessedEvent
from tests.complaints.services.helpers import make_complaint
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _created(complaint) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.created",
        "schema_version": 1,
        "occurred_at": timezone.now().isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": {},
    }


def test_triage_default_assignee_round_robin_and_urgency(customer):
    agents = [UserFactory(role=Role.AGENT) for _ in range(3)]
    default = UserFactory(role=Role.AGENT)
    with_default = CategoryFactory(default_assignee=default)
    plain = CategoryFactory()

    c1 = make_complaint(customer=customer, category=with_default)
    tasks.triage_complaint(_created(c1))
    c1.refresh_from_db()
    assert c1.assignee_id == default.pk

    picked = []
    for i in range(4):
        c = make_complaint(customer=customer, category=plain, title=f"plain {i}")
        tasks.triage_complaint(_created(c))
        c.refresh_from_db()
        picked.append(c.assignee_id)
    # Never-assigned agents first, then the one whose last assignment is the oldest.
    assert set(picked[:3]) == {a.pk for a in agents}
    assert picked[3] == default.pk

    urgent = make_complaint(customer=customer, category=plain, title="Child injury from unsafe toy")
    envelope = _created(urgent)
    tasks.triage_complaint(envelope)
    tasks.triage_complaint(envelope)  # redelivered: no second effect
    urgent.refresh_from_db()
    assert urgent.priority == Priority.URGENT
    changes = HistoryEntry.objects.filter(complaint=urgent, kind=HistoryKind.PRIORITY_CHANGED)
    assert [(h.actor_id, h.from_value, h.to_value) for h in changes] == [(None, "normal", "urgent")]
    assert (
        HistoryEntry.objects.filter(complaint=urgent, kind=HistoryKind.ASSIGNEE_CHANGED).count()
        == 1
    )
    assert ProcessedEvent.objects.filter(event_id=envelope["event_id"]).count() == 1
    raised = OutboxEvent.objects.filter(aggregate_id=urgent.pk, type="complaint.updated").get()
    assert raised.payload["changes"] == {"priority": {"from": "normal", "to": "urgent"}}


def test_triage_keeps_an_assignment_a_handler_made_first(customer, category):
    UserFactory(role=Role.AGENT)
    handler = UserFactory(role=Role.SUPERVISOR)
    complaint = make_complaint(customer=customer, category=category)
    services.complaint_assign(complaint=complaint, actor=handler, assignee=handler)

    assert tasks.triage_complaint(_created(complaint)) is True
    complaint.refresh_from_db()
    assert complaint.assignee_id == handler.pk
    kinds = HistoryEntry.objects.filter(complaint=complaint, kind=HistoryKind.ASSIGNEE_CHANGED)
    assert kinds.count() == 1


def test_triage_of_a_deleted_complaint_does_nothing(customer, category):
    complaint = make_complaint(customer=customer, category=category)
    envelope = _created(complaint)
    OutboxEvent.objects.all().delete()
    complaint.delete()

    assert tasks.triage_complaint(envelope) is True  # claimed: a redelivery will not retry it
    assert not OutboxEvent.objects.exists()
