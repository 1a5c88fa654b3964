"""The complaint admin speaks in names and labels: the timeline, the inlines, the staff pickers,
the work form's errors and the CSV export (its columns by the exporter's role)."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints import services
from complaints.attachments import attachment_add
from complaints.models import Feedback
from complaints.workflow import Status
from tests.helpers.admin import empty_inline_management
from tests.helpers.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:complaints_complaint_changelist")


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"a scan", "text/plain")


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def streamed(resp) -> bytes:
    assert resp.streaming, resp.content[:500]
    return b"".join(resp.streaming_content)


def export(user, action, complaints) -> list[dict[str, str]]:
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(c.pk) for c in complaints]}
    content = streamed(web_client(user).post(CHANGELIST, data))
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.fixture
def ann(db):
    return UserFactory.create(role=Role.AGENT, full_name="Ann Lee")


@pytest.fixture
def nameless(db):
    return UserFactory.create(role=Role.AGENT, full_name="")


def test_timeline_and_inlines_name_people_and_say_labels(supervisor, ann, nameless):
    complaint = ComplaintFactory.create(status=Status.NEW)
    services.complaint_transition(complaint=complaint, actor=ann, to_status=Status.ACKNOWLEDGED)
    services.complaint_assign(complaint=complaint, actor=supervisor, assignee=ann)
    services.complaint_assign(complaint=complaint, actor=supervisor, assignee=nameless)
    note = services.comment_create(complaint=complaint, author=ann, body="Hint", internal=True)
    attachment_add(complaint=complaint, uploader=ann, upload=upload("scan.txt"))

    html = web_client(supervisor).get(change_url(complaint)).content.decode()

    assert "New → Acknowledged" in html
    assert "Unassigned → Ann Lee (Support agent)" in html
    assert "Ann Lee (Support agent) → Support agent" in html
    assert "Assignee changed, " in html  # the row caption: the kind's label and the time
    assert "Internal note, " in html
    # No internal value, id or UUID of a person or comment is shown as text.
    for raw in ("assignee_changed", "status_changed", str(ann.pk), str(nameless.pk)):
        assert raw not in html, raw
    assert f"Comment {note.pk}" not in html
    assert "Agent " + str(ann.pk) not in html


def test_comment_and_attachment_inlines_say_who(agent, customer):
    complaint = ComplaintFactory.create(customer=customer)
    services.comment_create(complaint=complaint, author=customer, body="It broke", internal=False)
    attachment_add(complaint=complaint, uploader=customer, upload=upload("receipt.txt"))

    html = web_client(agent).get(change_url(complaint)).content.decode()

    assert f"{customer.full_name}" in html
    assert "Public reply, " in html
    assert "The complaint" in html  # the attachment's place, not "Comment <uuid> on <uuid>"


def test_missing_reason_is_said_at_the_top_with_the_status_label(agent):
    complaint = ComplaintFactory.create(status=Status.IN_PROGRESS, assignee=agent)
    form = {
        "new_status": Status.RESOLVED,
        "reason": "",
        "note_kind": "internal",
        "note_body": "",
        **empty_inline_management(),
    }

    resp = web_client(agent).post(change_url(complaint), form)

    assert resp.status_code == 200
    errors = resp.context["adminform"].form.non_field_errors()
    assert errors == [
        "To move this complaint to “Resolved”, write the resolution (the "
        "customer reads it) in Reason."
    ]
    html = resp.content.decode()
    # Above the fieldsets, not below the fold at the Reason field only.
    assert html.index("To move this complaint to “Resolved”") < html.index('name="reason"')
    assert "'resolved'" not in html


def test_category_form_offers_staff_by_name(supervisor, ann, nameless):
    html = web_client(supervisor).get(reverse("admin:complaints_category_add")).content.decode()
    assert ">Ann Lee (Support agent)<" in html
    assert ">Support agent<" in html
    assert str(ann.pk) in html  # the option's value stays the id
    assert f">Agent {ann.pk}<" not in html


# --------------------------------------------------------------------------- CSV export


def test_export_names_the_assignee_and_says_the_outcome(agent, ann):
    now = timezone.now()
    resolved = ComplaintFactory.create(
        assignee=ann,
        status=Status.RESOLVED,
        acknowledged_at=now - timedelta(hours=1),
        resolved_at=now,
        resolution="Refund issued",
    )
    Feedback.objects.create(complaint=resolved, rating=4)
    late = ComplaintFactory.create(
        status=Status.NEW, ack_due_at=now - timedelta(hours=1), resolve_due_at=now + timedelta(1)
    )

    rows = {r["reference"]: r for r in export(agent, "export_csv", [resolved, late])}

    done = rows[resolved.reference]
    assert done["assignee"] == "Ann Lee (Support agent)"
    assert (done["status"], done["resolution"], done["rating"]) == (
        "Resolved",
        "Refund issued",
        "4",
    )
    assert (done["acknowledge_sla"], done["resolve_sla"]) == ("met", "met")
    waiting = rows[late.reference]
    assert (waiting["assignee"], waiting["rating"]) == ("", "")
    assert (waiting["acknowledge_sla"], waiting["resolve_sla"]) == ("breached", "pending")
    assert waiting["channel"] == "Web"


def test_agents_export_no_personal_data(agent):
    complaint = ComplaintFactory.create()
    rows = export(agent, "export_csv", [complaint])
    assert "customer_name" not in rows[0]
    assert "customer_email" not in rows[0]
    assert complaint.customer.email not in str(rows)
    assert rows[0]["customer_id"] == str(complaint.customer_id)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_export_personal_data(role):
    complaint = ComplaintFactory.create()
    rows = export(UserFactory.create(role=role), "export_csv", [complaint])
    assert rows[0]["customer_name"] == complaint.customer.full_name
    assert rows[0]["customer_email"] == complaint.customer.email


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_export_query_count_does_not_grow_with_rows(role, ann, django_assert_num_queries):
    client = web_client(UserFactory.create(role=role))

    def export_all():
        data = {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(c.pk) for c in made]}
        return streamed(client.post(CHANGELIST, data))

    made = ComplaintFactory.create_batch(2, assignee=ann)
    Feedback.objects.create(complaint=made[0], rating=5)
    with CaptureQueriesContext(connection) as few:
        export_all()
    made += ComplaintFactory.create_batch(10, assignee=ann)
    for complaint in made[2::2]:
        Feedback.objects.create(complaint=complaint, rating=3)

    with django_assert_num_queries(len(few.captured_queries)):
        rows = export_all().decode().splitlines()
    assert len(rows) == 1 + 12
