"""The handler registry, the one task per event, and the hand-off to real Redis."""

import base64
import json
import uuid

import pytest
from django.utils import timezone

from complaints import tasks
from events import dispatch
from events.envelope import decode
from events.models import ProcessedEvent
from events.tasks import HandlersFailed, handle_event
from tests.helpers.events import create_complaint
from tests.helpers.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def _envelope(complaint, type="complaint.created"):
    return {
        "event_id": str(uuid.uuid4()),
        "type": type,
        "schema_version": 1,
        "occurred_at": timezone.now().isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": {},
    }


def test_handlers_run_in_registration_order_once_each(monkeypatch):
    monkeypatch.setattr(dispatch, "_HANDLERS", {})
    dispatch.register_handlers("parcel.lost", ["a.first", "a.second"])
    dispatch.register_handlers("parcel.lost", ["b.third", "a.first"])  # again: no duplicate
    dispatch.register_handlers("parcel.found", [])
    assert dispatch.handlers_for("parcel.lost") == ("a.first", "a.second", "b.third")
    assert dispatch.handlers_for("parcel.found") == ()
    assert dispatch.is_known("parcel.found")
    assert not dispatch.is_known("parcel.stolen")
    assert dispatch.handlers_for("parcel.stolen") == ()


def test_handler_names_resolve_to_their_functions():
    assert dispatch.handler("complaints.tasks.notify_receipt") is tasks.notify_receipt
    with pytest.raises(AttributeError):
        dispatch.handler("complaints.tasks.no_such_handler")


def test_handle_event_retries_only_the_failed_handler(
    customer, category, agent, monkeypatch, mailoutbox
):
    complaint = create_complaint(customer, category)
    envelope = _envelope(complaint)
    calls = []
    real_triage = tasks.triage_complaint

    def failing_triage(e):
        calls.append("triage")
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(tasks, "triage_complaint", failing_triage)
    with pytest.raises(HandlersFailed):
        handle_event.run(envelope)
    # The other handlers ran and committed their claims; triage's rolled back.
    done = set(
        ProcessedEvent.objects.filter(event_id=envelope["event_id"]).values_list(
            "handler", flat=True
        )
    )
    assert done == {"complaints.tasks.notify_receipt", "analytics.handlers.sync_complaint"}
    assert len(mailoutbox) == 1

    monkeypatch.setattr(tasks, "triage_complaint", real_triage)
    assert handle_event.run(envelope) == {
        "complaints.tasks.notify_receipt": False,
        "complaints.tasks.triage_complaint": True,
        "analytics.handlers.sync_complaint": False,
    }
    assert len(mailoutbox) == 1  # the receipt is not sent again
    assert calls == ["triage"]
    complaint.refresh_from_db()
    assert complaint.assignee_id == agent.pk


def test_hand_off_queues_one_task_per_event(celery_queue, monkeypatch):
    def queued() -> list[dict]:
        with celery_queue.connection_for_write() as conn:
            client = conn.default_channel.client
            return [json.loads(m) for m in client.lrange("celery", 0, -1)]

    envelope = _envelope(ComplaintFactory.create())
    assert dispatch.hand_off(decode(json.dumps(envelope).encode())) == 1
    [message] = queued()
    headers = message["headers"]
    assert headers["task"] == dispatch.HANDLE_EVENT
    assert headers["id"] == f"{envelope['event_id']}:handle"
    # Monitoring shows the event's type and id, not a repr of the whole envelope.
    assert headers["argsrepr"] == f"[complaint.created {envelope['event_id']}]"
    args, _kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert args == [envelope]

    # A known type without handlers is consumed without queueing anything.
    monkeypatch.setitem(dispatch._HANDLERS, "test.no_handlers", [])
    idle = {**envelope, "event_id": str(uuid.uuid4()), "type": "test.no_handlers"}
    assert dispatch.hand_off(decode(json.dumps(idle).encode())) == 0
    assert len(queued()) == 1
