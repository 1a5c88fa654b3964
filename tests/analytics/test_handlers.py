"""Analytics' event handlers ask for a debounced recompute of the day the event changed."""

import uuid
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from analytics import handlers
from complaints.models import Complaint
from events.models import ProcessedEvent
from tests.complaints.services.helpers import make_complaint

pytestmark = pytest.mark.django_db


def _envelope(complaint, type="complaint.created", occurred_at=None) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "type": type,
        "schema_version": 1,
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": {},
    }


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args=None, **kw: calls.append((name, args))
    )
    return calls


def test_analytics_is_asked_to_refresh_the_event_day(customer, category, sent):
    complaint = make_complaint(customer=customer, category=category)
    envelope = _envelope(complaint)
    assert handlers.refresh_event_day(envelope) is True
    assert handlers.refresh_event_day(envelope) is False  # debounced
    day = envelope["occurred_at"][:10]
    assert sent == [("analytics.refresh_daily_stats", [day])]
    assert ProcessedEvent.objects.get().handler == "analytics.handlers.refresh_event_day"


def test_a_breach_refreshes_the_day_its_complaint_was_created(customer, category, sent):
    # Breaches count on the complaint's created day, which the safety net no longer covers.
    complaint = make_complaint(customer=customer, category=category)
    created = timezone.now() - timedelta(days=9)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=created)
    envelope = _envelope(complaint, "complaint.sla_breached")
    assert handlers.refresh_created_day(envelope) is True
    assert sent == [("analytics.refresh_daily_stats", [created.date().isoformat()])]
    assert ProcessedEvent.objects.get().handler == "analytics.handlers.refresh_created_day"


def test_a_breach_of_a_deleted_complaint_refreshes_nothing(customer, category, sent):
    complaint = make_complaint(customer=customer, category=category)
    envelope = _envelope(complaint, "complaint.sla_breached")
    complaint.delete()
    assert handlers.refresh_created_day(envelope) is False
    assert sent == []


def test_beat_schedule_runs_the_analytics_safety_net():
    from complaints_project.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "analytics.refresh_recent_days" in tasks
