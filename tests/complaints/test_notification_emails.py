"""Notification emails as they leave over SMTP (aiosmtpd), opt-outs and redelivery."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from accounts.services import notification_preferences_update
from complaints import attachments, services
from complaints.workflow import Status
from events.envelope import envelope_for
from events.models import OutboxEvent
from events.tasks import handle_event
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory
from tests.helpers.smtp import smtp_inbox

pytestmark = pytest.mark.django_db

NAME = "Zoë <b>O'Hara</b>"


def _last_event_id() -> int:
    return OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _handle_events_after(event_id: int) -> None:
    for event in OutboxEvent.objects.filter(id__gt=event_id).order_by("id"):
        handle_event.run(envelope_for(event))


@pytest.fixture
def people(category):
    customer = UserFactory.create(role=Role.CUSTOMER, full_name=NAME, time_zone="Europe/Berlin")
    agent = UserFactory.create(role=Role.AGENT, full_name="Ann Assignee")
    return customer, agent


def _parts(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_resolved_email_over_smtp(people, category, settings):
    settings.FRONTEND_BASE_URL = "https://app.example.org"
    customer, agent = people
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    last = _last_event_id()
    with smtp_inbox(settings) as inbox:
        services.complaint_transition(
            complaint=complaint,
            actor=agent,
            to_status=Status.RESOLVED,
            reason="We refunded 20 EUR <to your card>.",
        )
        _handle_events_after(last)
        [message] = inbox.to(customer.email)
    assert message["Subject"] == f"Complaint {complaint.reference} is resolved"
    text, html = _parts(message)
    link = f"https://app.example.org/complaint_detail?id={complaint.pk}"
    assert f"Hello {NAME}," in text
    assert complaint.reference in text
    assert "We refunded 20 EUR <to your card>." in text
    assert f"{link}#rate" in text
    assert f"Open complaint {complaint.reference}: {link}\r\n" in text
    # HTML: the same content, escaped.
    assert "Hello Zoë &lt;b&gt;O&#x27;Hara&lt;/b&gt;," in html
    assert "<b>O'Hara</b>" not in html
    assert "We refunded 20 EUR &lt;to your card&gt;." in html
    assert f'href="{link}#rate"' in html
    assert f'href="{link}"' in html


def test_a_customer_reply_emails_the_assignee_over_smtp(people, category, settings):
    customer, agent = people
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
    last = _last_event_id()
    with smtp_inbox(settings) as inbox:
        services.comment_create(complaint=complaint, author=customer, body="Still <broken>.")
        _handle_events_after(last)
        [message] = inbox.to(agent.email)
        assert inbox.to(customer.email) == []
    assert message["Subject"] == f"Customer replied on complaint {complaint.reference}"
    text, html = _parts(message)
    assert "Hello Ann Assignee," in text
    assert "Still <broken>." in text
    assert "Still &lt;broken&gt;." in html
    assert f"/complaint_detail?id={complaint.pk}" in text


def test_a_customer_upload_names_the_file(people, category, mailoutbox, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer, agent = people
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
    last = _last_event_id()
    upload = SimpleUploadedFile("photo-of-box.txt", b"crushed", content_type="text/plain")
    attachments.attachment_add(complaint=complaint, uploader=customer, upload=upload)
    mailoutbox.clear()
    _handle_events_after(last)
    [message] = mailoutbox
    assert message.to == [agent.email]
    assert '"photo-of-box.txt"' in message.body


def test_a_redelivered_event_sends_nothing_twice(people, category, mailoutbox):
    customer, agent = people
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
    last = _last_event_id()
    services.comment_create(complaint=complaint, author=customer, body="Hello?")
    mailoutbox.clear()
    event = OutboxEvent.objects.get(id__gt=last)
    first = handle_event.run(envelope_for(event))
    again = handle_event.run(envelope_for(event))
    assert first == {"complaints.tasks.notify_commented": True}
    assert again == {"complaints.tasks.notify_commented": False}
    assert [m.to for m in mailoutbox] == [[agent.email]]


def test_turned_off_kinds_are_not_emailed_and_others_still_are(people, category, mailoutbox):
    customer, agent = people
    notification_preferences_update(user=customer, email={"resolved": False})
    notification_preferences_update(user=agent, email={"customer_reply": False})
    complaint = make_complaint(customer=customer, category=category, status=Status.IN_PROGRESS)
    services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
    last = _last_event_id()
    services.comment_create(complaint=complaint, author=customer, body="Hello?")
    services.comment_create(complaint=complaint, author=agent, body="On it.")
    services.complaint_transition(
        complaint=complaint, actor=agent, to_status=Status.RESOLVED, reason="Done."
    )
    mailoutbox.clear()
    _handle_events_after(last)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([customer.email], f"New reply on complaint {complaint.reference}")
    ]

    notification_preferences_update(user=agent, email={"customer_reply": True})
    services.complaint_transition(complaint=complaint, actor=customer, to_status=Status.REOPENED)
    last = _last_event_id()
    services.comment_create(complaint=complaint, author=customer, body="Not fixed.")
    mailoutbox.clear()
    _handle_events_after(last)
    assert [m.to for m in mailoutbox] == [[agent.email]]
