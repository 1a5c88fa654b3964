"""Complaint notification handlers called directly with an event."""

import uuid

import pytest
from django.utils import timezone

from complaints import services, tasks
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db


def test_internal_note_task_never_emails_the_customer(customer, category, agent, mailoutbox):
    complaint = make_complaint(customer=customer, category=category)
    note = services.comment_create(complaint=complaint, author=agent, body="secret", internal=True)
    # Even if an event lied about the flag, the database says internal: nothing is sent.
    for internal in (True, False):
        tasks.notify_commented(
            {
                "event_id": str(uuid.uuid4()),
                "type": "complaint.commented",
                "schema_version": 1,
                "occurred_at": timezone.now().isoformat(),
                "aggregate_id": str(complaint.pk),
                "payload": {"comment_id": str(note.pk), "internal": internal},
            }
        )
    assert all(customer.email not in message.to for message in mailoutbox)
