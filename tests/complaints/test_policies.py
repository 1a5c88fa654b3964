"""complaints.policies: the overdue rule's two spellings agree, and the caller's capability
flags match a hand-written table per role and status, and what the services accept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from analytics.selectors import ack_breached_q, resolve_breached_q
from complaints import services
from complaints.attachments import attachment_add
from complaints.errors import ConflictError, NotAllowed, NotFound
from complaints.models import Complaint, Priority
from complaints.policies import (
    ack_outcome,
    annotate_overdue,
    complaint_capabilities,
    is_overdue,
    overdue_q,
    resolve_outcome,
)
from tests.helpers import workflow_table as table
from tests.helpers.api import client_for
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- overdue


def test_overdue_sql_and_python_agree_on_every_case():
    now = timezone.now()
    hour = timedelta(hours=1)
    cases = {}
    for status in table.STATUSES:
        for acknowledged in (False, True):
            for ack_past in (False, True):
                for resolve_past in (False, True):
                    complaint = ComplaintFactory.create(
                        status=status,
                        acknowledged_at=now - 2 * hour if acknowledged else None,
                        ack_due_at=now - hour if ack_past else now + hour,
                        resolve_due_at=now - hour if resolve_past else now + hour,
                    )
                    # The rule in words: an unacknowledged new complaint past its acknowledge
                    # time, or an open one not awaiting the customer past its resolve time.
                    expected = (status == "new" and not acknowledged and ack_past) or (
                        status in table.RESOLVE_CLOCK_RUNS and resolve_past
                    )
                    cases[complaint.pk] = expected

    annotated = dict(
        annotate_overdue(Complaint.objects.all(), now=now).values_list("pk", "is_overdue")
    )
    filtered = set(Complaint.objects.filter(overdue_q(now)).values_list("pk", flat=True))
    in_python = {c.pk: is_overdue(c, now=now) for c in Complaint.objects.all()}
    assert annotated == cases
    assert in_python == cases
    assert filtered == {pk for pk, overdue in cases.items() if overdue}


# --------------------------------------------------------------------------- SLA outcome

NOW = timezone.now()
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("fields", "ack", "resolve"),
    [
        # Both clocks running, in time.
        ({"status": "new"}, "pending", "pending"),
        # Nobody acknowledged in time; resolving is not late yet.
        ({"status": "new", "ack_due_at": NOW - HOUR}, "breached", "pending"),
        # Acknowledged in time, resolved late.
        (
            {
                "status": "resolved",
                "acknowledged_at": NOW - 3 * HOUR,
                "ack_due_at": NOW - 2 * HOUR,
                "resolved_at": NOW,
                "resolve_due_at": NOW - HOUR,
            },
            "met",
            "breached",
        ),
        # Acknowledged late (after its due time), resolved in time.
        (
            {
                "status": "resolved",
                "acknowledged_at": NOW - HOUR,
                "ack_due_at": NOW - 2 * HOUR,
                "resolved_at": NOW,
            },
            "breached",
            "met",
        ),
        # The SLA scan flagged the resolve clock; the complaint moved on since.
        (
            {"status": "in_progress", "acknowledged_at": NOW, "resolve_breached_at": NOW},
            "met",
            "breached",
        ),
        # Still open past its resolve time.
        (
            {"status": "in_progress", "acknowledged_at": NOW, "resolve_due_at": NOW - HOUR},
            "met",
            "breached",
        ),
        # Paused awaiting the customer past the due time: not late while paused.
        (
            {"status": "awaiting_customer", "acknowledged_at": NOW, "resolve_due_at": NOW - HOUR},
            "met",
            "pending",
        ),
        # Rejected without acknowledgement, before anything ran out: both clocks stopped.
        ({"status": "rejected"}, "met", "met"),
    ],
)
def test_sla_outcome_per_clock(fields, ack, resolve):
    defaults = {"ack_due_at": NOW + HOUR, "resolve_due_at": NOW + 2 * HOUR}
    complaint = ComplaintFactory.create(**{**defaults, **fields})
    assert (ack_outcome(complaint, now=NOW), resolve_outcome(complaint, now=NOW)) == (ack, resolve)


def test_sla_outcome_agrees_with_the_dashboards_breach_rule():
    """The export's outcome (Python) and the dashboard's breach count (SQL) say the same."""
    for status in table.STATUSES:
        for acknowledged_late in (None, False, True):
            for resolved_late in (None, False, True):
                ComplaintFactory.create(
                    status=status,
                    ack_due_at=NOW - HOUR,
                    acknowledged_at=None
                    if acknowledged_late is None
                    else NOW - (0 if acknowledged_late else 2) * HOUR,
                    resolve_due_at=NOW - HOUR,
                    resolved_at=None
                    if resolved_late is None
                    else NOW - (0 if resolved_late else 2) * HOUR,
                )
    complaints = list(Complaint.objects.all())
    ack_sql = set(Complaint.objects.filter(ack_breached_q(NOW)).values_list("pk", flat=True))
    resolve_sql = set(
        Complaint.objects.filter(resolve_breached_q(NOW)).values_list("pk", flat=True)
    )
    assert ack_sql == {c.pk for c in complaints if ack_outcome(c, now=NOW) == "breached"}
    assert resolve_sql == {c.pk for c in complaints if resolve_outcome(c, now=NOW) == "breached"}


# --------------------------------------------------------------------------- capability flags

FLAGS = (
    "can_comment",
    "can_upload",
    "can_give_feedback",
    "can_edit",
    "can_set_priority",
    "can_change_category",
    "can_take",
    "can_unassign",
    "can_assign_anyone",
    "can_post_internal",
)
CONVERSATION = {"can_comment", "can_upload"}
# The flags that are true for the complaint's own customer, by status (no feedback given yet).
CUSTOMER_FLAGS = {
    "new": CONVERSATION | {"can_edit"},
    "acknowledged": CONVERSATION,
    "in_progress": CONVERSATION,
    "awaiting_customer": CONVERSATION,
    "resolved": CONVERSATION | {"can_give_feedback"},
    "closed": {"can_give_feedback"},
    "reopened": CONVERSATION,
    "rejected": set(),
    "withdrawn": set(),
}
# On an unassigned complaint: every handler may take it; nobody has it to unassign.
AGENT_FLAGS = CONVERSATION | {"can_take", "can_post_internal"}
SUPERVISOR_FLAGS = AGENT_FLAGS | {"can_set_priority", "can_change_category", "can_assign_anyone"}


def expected_flags(role: str, status: str) -> set[str]:
    if role == "customer":
        return CUSTOMER_FLAGS[status]
    return AGENT_FLAGS if role == "agent" else SUPERVISOR_FLAGS


def _user_for(role, customer):
    return customer if role == "customer" else UserFactory.create(role=role)


@pytest.mark.parametrize("role", table.ROLES)
@pytest.mark.parametrize("status", table.STATUSES)
def test_detail_flags_per_role_and_status(customer, status, role):
    complaint = make_complaint(customer=customer, status=status)
    body = client_for(_user_for(role, customer)).get(f"/api/complaints/{complaint.pk}/").json()

    assert {flag for flag in FLAGS if body[flag]} == expected_flags(role, status)
    moves = table.moves_for(status, role)
    assert body["allowed_transitions"] == moves
    assert body["transitions_requiring_reason"] == [s for s in moves if s in table.REASON_REQUIRED]


def test_list_rows_carry_the_same_flags(customer, agent):
    complaint = make_complaint(customer=customer, status="in_progress")
    (row,) = client_for(agent).get("/api/complaints/").json()["results"]
    detail = client_for(agent).get(f"/api/complaints/{complaint.pk}/").json()
    for key in (*FLAGS, "allowed_transitions", "transitions_requiring_reason"):
        assert row[key] == detail[key], key


def test_feedback_is_offered_once(customer, customer_client):
    complaint = make_complaint(customer=customer, status="resolved")
    services.feedback_submit(complaint=complaint, customer=customer, rating=5)
    body = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert body["can_give_feedback"] is False
    assert body["can_comment"] is True


def test_reopen_leaves_the_flags_when_the_window_closes(customer, customer_client, settings):
    settings.COMPLAINT_REOPEN_WINDOW_DAYS = 14
    complaint = make_complaint(customer=customer, status="resolved")
    Complaint.objects.filter(pk=complaint.pk).update(
        resolved_at=timezone.now() - timedelta(days=15)
    )
    body = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert body["allowed_transitions"] == ["closed"]
    assert body["can_comment"] is True


def test_another_customer_has_no_capabilities(customer, other_customer):
    complaint = make_complaint(customer=customer, status="new")
    capabilities = complaint_capabilities(complaint=complaint, user=other_customer)
    assert capabilities.allowed_transitions == []
    assert not any(getattr(capabilities, flag) for flag in FLAGS)


# --------------------------------------------------------------------------- flags = services


class _Accepted(Exception):
    """Raised after a service call succeeded, to roll its writes back."""


REFUSALS = (NotAllowed, NotFound, ConflictError, ValidationError)


def accepted(action) -> bool:
    try:
        with transaction.atomic():
            action()
            raise _Accepted
    except _Accepted:
        return True
    except REFUSALS:
        return False


def _service_calls(complaint, user, colleague, other_category):
    def fresh():
        return Complaint.objects.get(pk=complaint.pk)

    upload = SimpleUploadedFile("note.txt", b"a receipt\n", content_type="text/plain")
    return {
        "can_comment": lambda: services.comment_create(complaint=fresh(), author=user, body="Hi"),
        "can_upload": lambda: attachment_add(complaint=fresh(), uploader=user, upload=upload),
        "can_give_feedback": lambda: services.feedback_submit(
            complaint=fresh(), customer=user, rating=4
        ),
        "can_edit": lambda: services.complaint_edit(complaint=fresh(), actor=user, title="New"),
        "can_set_priority": lambda: services.complaint_reroute(
            complaint=fresh(), actor=user, priority=Priority.URGENT
        ),
        "can_change_category": lambda: services.complaint_reroute(
            complaint=fresh(), actor=user, category=other_category
        ),
        "can_take": lambda: services.complaint_assign(complaint=fresh(), actor=user, assignee=user),
        "can_assign_anyone": lambda: services.complaint_assign(
            complaint=fresh(), actor=user, assignee=colleague
        ),
        "can_post_internal": lambda: services.comment_create(
            complaint=fresh(), author=user, body="Note", internal=True
        ),
    }


@pytest.mark.parametrize("role", [*table.ROLES, "other customer"])
@pytest.mark.parametrize("status", table.STATUSES)
def test_flags_say_what_the_services_accept(customer, settings, tmp_path, status, role):
    settings.MEDIA_ROOT = str(tmp_path)
    complaint = make_complaint(customer=customer, status=status)
    user = (
        UserFactory.create(role="customer")
        if role == "other customer"
        else _user_for(role, customer)
    )
    capabilities = complaint_capabilities(complaint=complaint, user=user)
    calls = _service_calls(
        complaint, user, UserFactory.create(role="agent"), CategoryFactory.create()
    )

    answers = {flag: accepted(call) for flag, call in calls.items()}
    # can_unassign needs someone assigned: test_assignment_flags_say_what_the_service_accepts.
    assert answers == {flag: getattr(capabilities, flag) for flag in FLAGS if flag in calls}
    moves = [
        to
        for to in table.STATUSES
        if accepted(
            lambda to=to: services.complaint_transition(
                complaint=Complaint.objects.get(pk=complaint.pk),
                actor=user,
                to_status=to,
                reason="Because.",
            )
        )
    ]
    assert moves == capabilities.allowed_transitions


# --------------------------------------------------------------------------- assignment

NOBODY, MINE, COLLEAGUE = "nobody", "mine", "colleague's"
# Per role and current assignee: (may take it, may unassign it, may hand it to a colleague).
ASSIGNMENT_TABLE = {
    ("agent", NOBODY): (True, False, False),
    ("agent", MINE): (False, True, False),
    ("agent", COLLEAGUE): (False, False, False),
    ("supervisor", NOBODY): (True, False, True),
    ("supervisor", MINE): (False, True, True),
    ("supervisor", COLLEAGUE): (True, True, True),
    ("admin", NOBODY): (True, False, True),
    ("admin", MINE): (False, True, True),
    ("admin", COLLEAGUE): (True, True, True),
}


def _assigned(customer, user, holder):
    complaint = make_complaint(customer=customer, status="in_progress")
    assignee = {NOBODY: None, MINE: user, COLLEAGUE: UserFactory.create(role="agent")}[holder]
    Complaint.objects.filter(pk=complaint.pk).update(assignee=assignee)
    return Complaint.objects.select_related("assignee").get(pk=complaint.pk)


@pytest.mark.parametrize(("role", "holder"), list(ASSIGNMENT_TABLE))
def test_assignment_flags_say_what_the_service_accepts(customer, role, holder):
    user = UserFactory.create(role=role)
    complaint = _assigned(customer, user, holder)
    take, unassign, hand_over = ASSIGNMENT_TABLE[role, holder]
    capabilities = complaint_capabilities(complaint=complaint, user=user)
    colleague = UserFactory.create(role="agent")

    def assign(assignee):
        return accepted(
            lambda: services.complaint_assign(
                complaint=Complaint.objects.get(pk=complaint.pk), actor=user, assignee=assignee
            )
        )

    assert (capabilities.can_take, capabilities.can_unassign) == (take, unassign)
    assert capabilities.can_assign_anyone == hand_over
    # A no-op (taking one's own, unassigning nobody's) is accepted and not offered.
    assert assign(user) == (take or holder == MINE)
    assert assign(None) == (unassign or holder == NOBODY)
    assert assign(colleague) == hand_over


@pytest.mark.parametrize("holder", [NOBODY, COLLEAGUE])
def test_an_agent_refused_a_move_gets_403_saying_why(customer, holder):
    agent = UserFactory.create(role="agent")
    complaint = _assigned(customer, agent, holder)
    before = complaint.assignee_id
    target = str(agent.pk) if holder == COLLEAGUE else str(UserFactory.create(role="agent").pk)

    response = client_for(agent).post(
        f"/api/complaints/{complaint.pk}/assign/", {"assignee_id": target}, format="json"
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "supervisors_only"
    assert "supervisors" in body["detail"]
    assert Complaint.objects.get(pk=complaint.pk).assignee_id == before


def test_a_customer_refused_assignment_gets_the_generic_403(customer, customer_client, agent):
    complaint = make_complaint(customer=customer, status="new")
    response = customer_client.post(
        f"/api/complaints/{complaint.pk}/assign/", {"assignee_id": str(agent.pk)}, format="json"
    )
    assert response.status_code == 403
    assert "code" not in response.json()


# --------------------------------------------------------------------------- GET /api/workflow/


def test_workflow_describes_statuses_and_priorities(customer_client):
    response = customer_client.get("/api/workflow/")
    assert response.status_code == 200
    body = response.json()
    assert body["statuses"] == [
        {
            "value": status,
            "label": table.LABELS[status],
            "open": status in table.OPEN,
            "final": status in table.FINAL,
            "reason_required": status in table.REASON_REQUIRED,
            "sla_paused": status in table.OPEN - table.RESOLVE_CLOCK_RUNS,
        }
        for status in table.STATUSES
    ]
    assert body["priorities"] == [
        {"value": "low", "label": "Low"},
        {"value": "normal", "label": "Normal"},
        {"value": "high", "label": "High"},
        {"value": "urgent", "label": "Urgent"},
    ]


def test_workflow_is_cacheable(customer_client):
    first = customer_client.get("/api/workflow/")
    assert "private" in first["Cache-Control"]
    assert "max-age=" in first["Cache-Control"]
    etag = first["ETag"]
    again = customer_client.get("/api/workflow/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert not again.content
    changed = customer_client.get("/api/workflow/", HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200


def test_workflow_needs_authentication(api_client):
    response = api_client.get("/api/workflow/")
    assert response.status_code == 401
    assert "detail" in response.json()
