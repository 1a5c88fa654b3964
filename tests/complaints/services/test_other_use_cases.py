from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from complaints import services
from complaints.errors import ConflictError, NotAllowed, NotFound, SupervisorsOnly
from complaints.models import Comment, Complaint, Feedback, HistoryKind, Priority
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- assign


def test_agent_takes_and_drops_a_complaint(customer, agent, event_log):
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_assign(complaint=complaint, actor=agent, assignee=agent)
    assert complaint.assignee == agent
    complaint = services.complaint_assign(complaint=complaint, actor=agent, assignee=None)
    assert complaint.assignee is None
    entries = complaint.history.filter(kind=HistoryKind.ASSIGNEE_CHANGED)
    assert [(e.from_value, e.to_value) for e in entries] == [
        ("", str(agent.pk)),
        (str(agent.pk), ""),
    ]
    sent = event_log.named("assigned")
    assert [(s["from_assignee_id"], s["to_assignee_id"]) for s in sent] == [
        (None, str(agent.pk)),
        (str(agent.pk), None),
    ]


def test_agent_cannot_assign_others(customer, agent):
    other_agent = UserFactory.create(role=Role.AGENT)
    complaint = make_complaint(customer=customer)
    with pytest.raises(NotAllowed):
        services.complaint_assign(complaint=complaint, actor=agent, assignee=other_agent)
    complaint = services.complaint_assign(complaint=complaint, actor=None, assignee=other_agent)
    with pytest.raises(NotAllowed):
        services.complaint_assign(complaint=complaint, actor=agent, assignee=None)


def test_agent_cannot_take_a_colleagues_complaint(customer, agent, event_log):
    colleague = UserFactory.create(role=Role.AGENT)
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_assign(complaint=complaint, actor=None, assignee=colleague)
    with pytest.raises(SupervisorsOnly, match="assigned to a colleague"):
        services.complaint_assign(complaint=complaint, actor=agent, assignee=agent)
    complaint.refresh_from_db()
    assert complaint.assignee == colleague
    assert len(event_log.named("assigned")) == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_move_a_complaint_between_agents(customer, agent, role):
    colleague = UserFactory.create(role=Role.AGENT)
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_assign(complaint=complaint, actor=None, assignee=colleague)
    actor = UserFactory.create(role=role)
    complaint = services.complaint_assign(complaint=complaint, actor=actor, assignee=agent)
    assert complaint.assignee == agent
    complaint = services.complaint_assign(complaint=complaint, actor=actor, assignee=actor)
    assert complaint.assignee == actor


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_assign_anyone_active(customer, agent, role):
    actor = UserFactory.create(role=role)
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_assign(complaint=complaint, actor=actor, assignee=agent)
    assert complaint.assignee == agent
    inactive = UserFactory.create(role=Role.AGENT, is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.complaint_assign(complaint=complaint, actor=actor, assignee=inactive)
    assert "assignee_id" in exc.value.message_dict


def test_assignee_must_be_a_handler(customer, supervisor, other_customer):
    complaint = make_complaint(customer=customer)
    with pytest.raises(ValidationError):
        services.complaint_assign(complaint=complaint, actor=supervisor, assignee=other_customer)


def test_customer_cannot_assign(customer, other_customer, agent):
    complaint = make_complaint(customer=customer)
    with pytest.raises(NotAllowed):
        services.complaint_assign(complaint=complaint, actor=customer, assignee=agent)
    with pytest.raises(NotFound):
        services.complaint_assign(complaint=complaint, actor=other_customer, assignee=agent)


def test_same_assignee_is_a_no_op(customer, agent, event_log):
    complaint = make_complaint(customer=customer)
    services.complaint_assign(complaint=complaint, actor=agent, assignee=agent)
    services.complaint_assign(complaint=complaint, actor=agent, assignee=agent)
    assert len(event_log.named("assigned")) == 1


# --------------------------------------------------------------------------- update


def test_customer_edits_text_while_new(customer, event_log):
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_edit(
        complaint=complaint, actor=customer, title="New title", description="More detail"
    )
    complaint.refresh_from_db()
    assert (complaint.title, complaint.description) == ("New title", "More detail")
    (sent,) = event_log.named("updated")
    assert sent["changes"] == {"title": {"changed": True}, "description": {"changed": True}}


def test_customer_cannot_edit_after_acknowledgement(customer):
    complaint = make_complaint(customer=customer, status=Status.ACKNOWLEDGED)
    with pytest.raises(ConflictError):
        services.complaint_edit(complaint=complaint, actor=customer, title="Changed")
    complaint.refresh_from_db()
    assert complaint.title == "Broken kettle"


def test_customer_cannot_change_priority_or_category(customer):
    complaint = make_complaint(customer=customer)
    with pytest.raises(NotAllowed):
        services.complaint_reroute(complaint=complaint, actor=customer, priority=Priority.URGENT)
    complaint.refresh_from_db()
    assert complaint.priority == Priority.NORMAL


def test_agent_cannot_change_priority_category_or_text(customer, agent):
    complaint = make_complaint(customer=customer)
    for use_case, changes in (
        (services.complaint_reroute, {"priority": Priority.HIGH}),
        (services.complaint_reroute, {"category": CategoryFactory.create()}),
        (services.complaint_edit, {"title": "x"}),
    ):
        with pytest.raises(NotAllowed):
            use_case(complaint=complaint, actor=agent, **changes)


def test_supervisor_changes_priority_and_sla_follows(customer, supervisor, event_log):
    category = CategoryFactory.create(acknowledge_within_hours=10, resolve_within_hours=100)
    complaint = make_complaint(customer=customer, category=category)
    complaint = services.complaint_reroute(
        complaint=complaint, actor=supervisor, priority=Priority.URGENT
    )
    assert complaint.ack_due_at - complaint.created_at == timedelta(hours=2.5)
    assert complaint.resolve_due_at - complaint.created_at == timedelta(hours=25)
    entry = complaint.history.get(kind=HistoryKind.PRIORITY_CHANGED)
    assert (entry.from_value, entry.to_value) == ("normal", "urgent")
    (sent,) = event_log.named("updated")
    assert sent["changes"] == {"priority": {"from": "normal", "to": "urgent"}}


def test_category_change_keeps_stopped_clocks(customer, supervisor):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    ack_due, resolve_due = complaint.ack_due_at, complaint.resolve_due_at
    new_category = CategoryFactory.create(acknowledge_within_hours=1, resolve_within_hours=2)
    complaint = services.complaint_reroute(
        complaint=complaint, actor=supervisor, category=new_category
    )
    complaint.refresh_from_db()
    assert complaint.category == new_category
    assert (complaint.ack_due_at, complaint.resolve_due_at) == (ack_due, resolve_due)
    assert complaint.history.filter(kind=HistoryKind.CATEGORY_CHANGED).count() == 1


def test_category_change_after_ack_moves_only_resolve_clock(customer, supervisor):
    complaint = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    ack_due = complaint.ack_due_at
    new_category = CategoryFactory.create(acknowledge_within_hours=1, resolve_within_hours=2)
    complaint = services.complaint_reroute(
        complaint=complaint, actor=supervisor, category=new_category
    )
    assert complaint.ack_due_at == ack_due
    assert complaint.resolve_due_at - complaint.created_at == timedelta(hours=2)


def test_inactive_category_cannot_be_chosen(customer, supervisor):
    complaint = make_complaint(customer=customer)
    with pytest.raises(ValidationError):
        services.complaint_reroute(
            complaint=complaint, actor=supervisor, category=CategoryFactory.create(is_active=False)
        )


# --------------------------------------------------------------------------- comments


def test_comment_records_history_and_event(customer, agent, event_log):
    complaint = make_complaint(customer=customer)
    note = services.comment_create(
        complaint=complaint, author=agent, body="Check logs", internal=True
    )
    entry = complaint.history.get(kind=HistoryKind.COMMENT_ADDED)
    assert entry.is_internal is True
    assert entry.to_value == str(note.pk)
    (sent,) = event_log.named("commented")
    assert (sent["comment_id"], sent["internal"]) == (str(note.pk), True)
    assert sent["actor_id"] == str(agent.pk)


def test_customer_cannot_post_internal_note(customer):
    complaint = make_complaint(customer=customer)
    with pytest.raises(ValidationError) as exc:
        services.comment_create(complaint=complaint, author=customer, body="x", internal=True)
    assert "internal" in exc.value.message_dict
    assert not Comment.objects.exists()


@pytest.mark.parametrize("status", [Status.CLOSED, Status.REJECTED, Status.WITHDRAWN])
def test_customer_cannot_comment_on_finished(customer, agent, status):
    complaint = make_complaint(customer=customer, status=status)
    with pytest.raises(ConflictError):
        services.comment_create(complaint=complaint, author=customer, body="Hello?")
    services.comment_create(complaint=complaint, author=agent, body="Staff note", internal=True)


def test_customer_reply_while_awaiting_moves_back_to_in_progress(customer, event_log):
    complaint = make_complaint(customer=customer, status=Status.AWAITING_CUSTOMER)
    event_log.clear()
    services.comment_create(complaint=complaint, author=customer, body="Here you go")
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    entry = complaint.history.filter(kind=HistoryKind.STATUS_CHANGED).last()
    assert (entry.actor, entry.to_value) == (None, Status.IN_PROGRESS)
    assert event_log.types() == ["complaint.commented", "complaint.status_changed"]


def test_staff_comment_while_awaiting_keeps_status(customer, agent):
    complaint = make_complaint(customer=customer, status=Status.AWAITING_CUSTOMER)
    services.comment_create(complaint=complaint, author=agent, body="Any news?")
    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CUSTOMER


def test_internal_note_does_not_touch_updated_at(customer, agent):
    complaint = make_complaint(customer=customer)
    before = Complaint.objects.get(pk=complaint.pk).updated_at
    services.comment_create(complaint=complaint, author=agent, body="secret", internal=True)
    assert Complaint.objects.get(pk=complaint.pk).updated_at == before


def test_other_customer_cannot_comment(customer, other_customer):
    complaint = make_complaint(customer=customer)
    with pytest.raises(NotFound):
        services.comment_create(complaint=complaint, author=other_customer, body="hi")


# --------------------------------------------------------------------------- feedback


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_feedback_once(customer, event_log, status):
    complaint = make_complaint(customer=customer, status=status)
    feedback = services.feedback_submit(
        complaint=complaint, customer=customer, rating=4, comment="ok"
    )
    assert feedback.rating == 4
    assert complaint.history.filter(kind=HistoryKind.FEEDBACK_RECEIVED).count() == 1
    (sent,) = event_log.named("feedback_received")
    assert (sent["feedback_id"], sent["rating"]) == (feedback.pk, 4)
    with pytest.raises(ConflictError):
        services.feedback_submit(complaint=complaint, customer=customer, rating=5)
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS, Status.REJECTED])
def test_feedback_only_when_resolved_or_closed(customer, status):
    complaint = make_complaint(customer=customer, status=status)
    with pytest.raises(ConflictError):
        services.feedback_submit(complaint=complaint, customer=customer, rating=3)


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5"])
def test_feedback_rating_range(customer, rating):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    with pytest.raises(ValidationError):
        services.feedback_submit(complaint=complaint, customer=customer, rating=rating)


def test_feedback_only_by_owner(customer, other_customer, agent):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    with pytest.raises(NotFound):
        services.feedback_submit(complaint=complaint, customer=other_customer, rating=3)
    with pytest.raises(NotAllowed):
        services.feedback_submit(complaint=complaint, customer=agent, rating=3)


def test_rollback_of_use_case_leaves_no_history(customer, agent):
    complaint = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    count = complaint.history.count()
    with pytest.raises(ValidationError):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.RESOLVED)
    assert complaint.history.count() == count
    assert timezone.now()
