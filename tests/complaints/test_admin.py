"""Complaint admin for handlers: changelist, actions through services, CSV export, work form."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Category, Comment, Complaint, HistoryEntry, HistoryKind
from complaints.workflow import Status
from tests.helpers.admin import empty_inline_management
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:complaints_complaint_changelist")


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_web(agent):
    return web_client(agent)


@pytest.fixture
def supervisor_web(supervisor):
    return web_client(supervisor)


def run_action(client, action, complaints, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(c.pk) for c in complaints], **extra}
    return client.post(CHANGELIST, data, follow=False)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_overdue_column_marks_only_overdue_complaints(agent_web):
    late = ComplaintFactory.create(resolve_due_at=timezone.now() - timedelta(hours=1))
    on_time = ComplaintFactory.create()
    html = agent_web.get(CHANGELIST).content.decode()
    cells = dict(
        re.findall(
            r'href="[^"]*/(\w{8}-[\w-]+)/change/.*?<td class="field-overdue_flag">(.*?)</td>',
            html,
            re.S,
        )
    )
    assert "icon-alert.svg" in cells[str(late.pk)]
    # Nothing at all for a complaint on time (it used to show a red "no" icon).
    assert cells[str(on_time.pk)].strip() in {"", "&nbsp;"}
    assert "icon-no.svg" not in html


def test_customer_cannot_open_admin(customer):
    resp = web_client(customer).get(CHANGELIST)
    assert resp.status_code == 302
    assert "/admin/login/" in resp["Location"]


def test_changelist_constant_queries(agent, agent_web):
    categories = [CategoryFactory.create() for _ in range(3)]
    for i in range(3):
        ComplaintFactory.create(category=categories[i % 3], assignee=agent)

    def count(url=CHANGELIST):
        with CaptureQueriesContext(connection) as ctx:
            resp = agent_web.get(url)
        assert resp.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        ComplaintFactory.create(category=categories[i % 3], assignee=agent if i % 2 else None)
    assert count() == few
    # Filters and search do not add per-row queries either.
    assert count(CHANGELIST + "?overdue=yes&status__exact=new&assignee=me&q=CMP") <= few + 1


def test_changelist_shows_columns_and_no_encrypted_text(agent_web):
    complaint = ComplaintFactory.create(title="Broken kettle", description="SECRET-DESCRIPTION")
    with CaptureQueriesContext(connection) as ctx:
        resp = agent_web.get(CHANGELIST + "?q=kettle")
    html = resp.content.decode()
    assert complaint.reference in html
    assert "Broken kettle" in html
    assert "SECRET-DESCRIPTION" not in html
    main = [q["sql"] for q in ctx.captured_queries if 'FROM "complaints_complaint"' in q["sql"]]
    assert main
    assert not any('"complaints_complaint"."description"' in sql for sql in main)


def test_transition_action_applies_only_legal_moves(agent, agent_web):
    new = ComplaintFactory.create(status=Status.NEW)
    in_progress = ComplaintFactory.create(status=Status.IN_PROGRESS)
    closed = ComplaintFactory.create(status=Status.CLOSED)
    resp = run_action(agent_web, "transition_to_acknowledged", [new, in_progress, closed])
    assert resp.status_code == 302
    new.refresh_from_db()
    in_progress.refresh_from_db()
    closed.refresh_from_db()
    assert new.status == Status.ACKNOWLEDGED
    assert new.acknowledged_at is not None
    assert in_progress.status == Status.IN_PROGRESS
    assert closed.status == Status.CLOSED
    entry = HistoryEntry.objects.get(complaint=new, kind=HistoryKind.STATUS_CHANGED)
    assert (entry.from_value, entry.to_value, entry.actor) == ("new", "acknowledged", agent)
    msgs = messages_of(resp)
    assert any("Moved 1" in m for m in msgs)
    assert any("Skipped 2" in m and in_progress.reference in m for m in msgs)


def test_only_handler_transitions_offered(agent_web):
    resp = agent_web.get(CHANGELIST)
    actions = dict(resp.context["action_form"].fields["action"].choices)
    assert "transition_to_acknowledged" in actions
    assert "transition_to_resolved" in actions
    assert "transition_to_closed" in actions
    # Customer-only moves are never offered to handlers.
    assert "transition_to_withdrawn" not in actions
    assert "transition_to_reopened" not in actions
    assert "export_csv" in actions
    assert "export_csv_with_descriptions" not in actions


def test_reason_required_action_asks_for_reason(agent_web):
    complaint = ComplaintFactory.create(status=Status.IN_PROGRESS)
    resp = run_action(agent_web, "transition_to_resolved", [complaint])
    assert resp.status_code == 200
    assert b'name="reason"' in resp.content
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    resp = run_action(
        agent_web, "transition_to_resolved", [complaint], reason="Refund issued", apply="1"
    )
    assert resp.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.resolution == "Refund issued"


def test_assign_to_me_action(agent, agent_web):
    complaints = [ComplaintFactory.create() for _ in range(3)]
    run_action(agent_web, "assign_to_me", complaints)
    assert Complaint.objects.filter(assignee=agent).count() == 3
    assert HistoryEntry.objects.filter(kind=HistoryKind.ASSIGNEE_CHANGED).count() == 3


def test_assign_to_me_action_leaves_colleagues_complaints(agent, agent_web):
    colleague = UserFactory.create(role="agent")
    theirs = ComplaintFactory.create(assignee=colleague)
    free = ComplaintFactory.create()
    resp = run_action(agent_web, "assign_to_me", [theirs, free])
    theirs.refresh_from_db()
    free.refresh_from_db()
    assert (theirs.assignee, free.assignee) == (colleague, agent)
    shown = messages_of(resp)
    assert any(theirs.reference in m and "supervisors" in m for m in shown), shown


def test_work_form_offers_taking_only_where_the_rule_allows(agent, agent_web, supervisor_web):
    theirs = ComplaintFactory.create(assignee=UserFactory.create(role="agent"))
    url = reverse("admin:complaints_complaint_change", args=[theirs.pk])
    field = agent_web.get(url).context["adminform"].form.fields["assign_to_me"]
    assert field.disabled
    assert "supervisors" in field.help_text
    # Posting it anyway changes nothing: a disabled field keeps its initial value.
    agent_web.post(
        url, {"assign_to_me": "on", "note_kind": "internal", **empty_inline_management()}
    )
    theirs.refresh_from_db()
    assert theirs.assignee != agent
    assert not supervisor_web.get(url).context["adminform"].form.fields["assign_to_me"].disabled


def test_csv_export_streams_without_descriptions(agent_web):
    a = ComplaintFactory.create(title='=HYPERLINK("http://evil")', description="SECRET-DESC")
    b = ComplaintFactory.create(title="Normal title")
    resp = run_action(agent_web, "export_csv", [a, b])
    assert resp.status_code == 200
    assert resp.streaming
    assert resp["Content-Type"].startswith("text/csv")
    assert resp["Content-Disposition"].startswith("attachment;")
    content = b"".join(resp.streaming_content).decode()
    assert "SECRET-DESC" not in content
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {r["reference"] for r in rows} == {a.reference, b.reference}
    assert "description" not in rows[0]
    by_ref = {r["reference"]: r for r in rows}
    assert by_ref[a.reference]["title"].startswith("'=")  # formula neutralised
    # An agent's export has no personal columns (supervisors' have: test_admin_readable).
    assert "customer_email" not in by_ref[b.reference]
    assert by_ref[b.reference]["priority"] == "normal"


def test_supervisor_can_export_descriptions(supervisor_web, agent_web):
    c = ComplaintFactory.create(description="The full story")
    resp = run_action(supervisor_web, "export_csv_with_descriptions", [c])
    rows = list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode())))
    assert rows[0]["description"] == "The full story"
    # Agents are not offered the action; posting it anyway does nothing.
    resp = run_action(agent_web, "export_csv_with_descriptions", [c])
    assert not getattr(resp, "streaming", False)


def test_change_view_shows_timeline_and_internal_notes(agent, agent_web):
    complaint = ComplaintFactory.create()
    Comment.objects.create(
        complaint=complaint, author=agent, body="Internal hint", is_internal=True
    )
    HistoryEntry.objects.create(complaint=complaint, actor=agent, kind=HistoryKind.CREATED)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    resp = agent_web.get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Internal hint" in html
    assert "Internal note" in html
    assert "timeline" in html.lower()
    # Only legal next statuses are offered.
    choices = [v for v, _ in resp.context["adminform"].form.fields["new_status"].choices]
    assert choices == ["", "acknowledged", "rejected"]


def test_change_form_goes_through_services(agent, agent_web):
    complaint = ComplaintFactory.create(status=Status.NEW)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    form = {
        "new_status": "acknowledged",
        "reason": "",
        "assign_to_me": "on",
        "note_kind": "internal",
        "note_body": "Looking into it",
        **empty_inline_management(),
    }
    resp = agent_web.post(url, form)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else ""
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.assignee == agent
    note = Comment.objects.get(complaint=complaint)
    assert note.is_internal
    assert note.body == "Looking into it"
    kinds = set(HistoryEntry.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert {"status_changed", "assignee_changed", "comment_added"} <= kinds

    # Public reply, and an illegal move (acknowledged -> acknowledged) is not even offered.
    form.update(
        new_status="resolved",
        reason="",
        assign_to_me="",
        note_kind="public",
        note_body="We are on it",
    )
    resp = agent_web.post(url, form)
    assert resp.status_code == 200  # form error: not a legal choice
    form.update(new_status="in_progress")
    resp = agent_web.post(url, form)
    assert resp.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert Comment.objects.filter(complaint=complaint, is_internal=False).count() == 1


def test_failed_work_step_is_not_reported_as_a_successful_change(agent, agent_web, monkeypatch):
    complaint = ComplaintFactory.create(status=Status.NEW)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    real_transition = services.complaint_transition

    def rejected_meanwhile(**kwargs):
        # Another handler rejects the complaint between the form's check and this step.
        real_transition(
            complaint=kwargs["complaint"], actor=None, to_status=Status.REJECTED, reason="Dup"
        )
        return real_transition(**kwargs)

    monkeypatch.setattr("complaints.admin.complaint_transition", rejected_meanwhile)
    form = {
        "new_status": "acknowledged",
        "reason": "",
        "assign_to_me": "on",
        "note_kind": "internal",
        "note_body": "",
        **empty_inline_management(),
    }

    resp = agent_web.post(url, form)

    assert resp.status_code == 302
    assert resp.url == url  # back to the form, where the handler sees the current state
    msgs = messages_of(resp)
    assert "Assigned to you." in msgs
    assert "Cannot move a complaint from 'rejected' to 'acknowledged'." in msgs
    assert not [m for m in msgs if "changed successfully" in m]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.assignee) == (Status.REJECTED, agent)


def test_category_admin_uses_services(supervisor_web, agent_web):
    add = reverse("admin:complaints_category_add")
    data = {
        "name": "Refunds",
        "slug": "refunds",
        "is_active": "on",
        "acknowledge_within_hours": "24",
        "resolve_within_hours": "120",
        "default_assignee": "",
    }
    assert supervisor_web.post(add, data).status_code == 302
    cat = Category.objects.get(slug="refunds")
    assert cat.acknowledge_within_hours == 24
    change = reverse("admin:complaints_category_change", args=[cat.pk])
    assert supervisor_web.post(change, {**data, "resolve_within_hours": "99"}).status_code == 302
    cat.refresh_from_db()
    assert cat.resolve_within_hours == 99
    # Agents may look but not add.
    assert agent_web.get(add).status_code == 403


def test_admin_user_sees_everything():
    admin = UserFactory.create(role="admin")
    resp = web_client(admin).get(CHANGELIST)
    assert resp.status_code == 200


def test_search_box_finds_by_email_description_name_and_notes(agent, agent_web, customer):
    customer.full_name = "Ada Lovelace"
    customer.save()
    complaint = make_complaint(customer=customer, description="Sprinkler flooded the hall")
    services.comment_create(
        complaint=complaint, author=agent, body="Insurer notified", internal=True
    )
    other = ComplaintFactory.create(title="Other", description="Nothing alike")
    terms = (customer.email.upper(), "SPRINKLER hall", "lovelace", "insurer", complaint.reference)
    for term in terms:
        html = agent_web.get(CHANGELIST, {"q": term}).content.decode()
        assert complaint.reference in html, term
        assert other.reference not in html, term
    html = agent_web.get(CHANGELIST, {"q": "dishwasher"}).content.decode()
    assert complaint.reference not in html
