"""ISO 10002: the remedy sought at receipt and its outcome at the end; the internal review."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from complaints import reviews, services, tasks
from complaints.errors import ConflictError, NotAllowed, NotFound, SupervisorsOnly
from complaints.models import Complaint, HistoryEntry, HistoryKind
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_remedy_sought_is_stored_encrypted(customer):
    complaint = make_complaint(customer=customer, remedy_sought="  A refund of 40 EUR  ")
    assert Complaint.objects.get(pk=complaint.pk).remedy_sought == "A refund of 40 EUR"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT remedy_sought FROM complaints_complaint WHERE id = %s", [complaint.pk]
        )
        (raw,) = cursor.fetchone()
    assert b"refund" not in bytes(raw)


def test_the_remedy_sought_is_optional_and_bounded(customer):
    assert make_complaint(customer=customer).remedy_sought == ""
    with pytest.raises(ValidationError) as exc:
        make_complaint(customer=customer, remedy_sought="x" * 2001)
    assert "remedy_sought" in exc.value.message_dict


@pytest.mark.parametrize("to_status", ["resolved", "rejected"])
def test_resolving_or_rejecting_records_the_outcome_when_a_remedy_was_sought(
    customer, agent, to_status
):
    complaint = make_complaint(customer=customer, status="in_progress", remedy_sought="Refund")
    with pytest.raises(ValidationError) as exc:
        services.complaint_transition(
            complaint=complaint, actor=agent, to_status=to_status, reason="Done."
        )
    assert "remedy_outcome" in exc.value.message_dict
    moved = services.complaint_transition(
        complaint=complaint,
        actor=agent,
        to_status=to_status,
        reason="Done.",
        remedy_outcome="partially_granted",
    )
    assert (moved.status, moved.remedy_outcome) == (to_status, "partially_granted")


def test_the_outcome_is_optional_without_a_remedy_and_refused_on_other_moves(customer, agent):
    complaint = make_complaint(customer=customer, status="in_progress")
    with pytest.raises(ValidationError):
        services.complaint_transition(
            complaint=complaint,
            actor=agent,
            to_status="awaiting_customer",
            remedy_outcome="granted",
        )
    with pytest.raises(ValidationError):
        services.complaint_transition(
            complaint=complaint, actor=agent, to_status="resolved", reason="x", remedy_outcome="?"
        )
    resolved = services.complaint_transition(
        complaint=complaint, actor=agent, to_status="resolved", reason="Fixed."
    )
    assert resolved.remedy_outcome == ""


# --------------------------------------------------------------------------- internal review


@pytest.mark.parametrize("status", ["resolved", "closed", "rejected"])
def test_the_customer_asks_for_a_review_once(customer, status, event_log):
    complaint = make_complaint(customer=customer, status=status)
    event_log.clear()
    asked = reviews.review_request(complaint=complaint, customer=customer, reason="Not fair.")
    assert asked.review_requested_at is not None
    assert (asked.status, asked.review_reason) == (status, "Not fair.")
    assert HistoryEntry.objects.filter(
        complaint=complaint, kind=HistoryKind.REVIEW_REQUESTED, is_internal=False
    ).exists()
    assert event_log.types() == ["complaint.review_requested"]
    assert "Not fair" not in str(event_log.named("review_requested"))
    with pytest.raises(ConflictError, match="already requested"):
        reviews.review_request(complaint=complaint, customer=customer, reason="Again.")


@pytest.mark.parametrize("status", ["new", "in_progress", "awaiting_customer", "withdrawn"])
def test_no_review_before_a_final_answer(customer, status):
    complaint = make_complaint(customer=customer, status=status)
    with pytest.raises(ConflictError, match="resolved or rejected"):
        reviews.review_request(complaint=complaint, customer=customer, reason="Why?")


def test_only_the_complaints_customer_asks(customer, other_customer, agent):
    complaint = make_complaint(customer=customer, status="rejected")
    with pytest.raises(NotFound):
        reviews.review_request(complaint=complaint, customer=other_customer, reason="Me too")
    with pytest.raises(NotAllowed):
        reviews.review_request(complaint=complaint, customer=agent, reason="On their behalf")
    with pytest.raises(ValidationError):
        reviews.review_request(complaint=complaint, customer=customer, reason="   ")


def _requested(customer):
    complaint = make_complaint(customer=customer, status="rejected", remedy_sought="Refund")
    return reviews.review_request(complaint=complaint, customer=customer, reason="Not fair.")


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_a_supervisor_concludes_the_review(customer, role, event_log):
    complaint = _requested(customer)
    supervisor = UserFactory.create(role=role)
    event_log.clear()
    done = reviews.review_conclude(
        complaint=complaint,
        actor=supervisor,
        outcome="changed",
        note="We refund you after all.",
        remedy_outcome="granted",
    )
    assert (done.review_outcome, done.review_note, done.remedy_outcome) == (
        "changed",
        "We refund you after all.",
        "granted",
    )
    assert done.review_concluded_by == supervisor
    assert done.status == Status.REJECTED
    (payload,) = event_log.named("review_concluded")
    assert (payload["outcome"], payload["remedy_outcome"]) == ("changed", "granted")
    assert "refund" not in str(payload).lower()
    with pytest.raises(ConflictError, match="no internal review waiting"):
        reviews.review_conclude(complaint=complaint, actor=supervisor, outcome="upheld", note="x")


def test_agents_and_customers_do_not_conclude(customer, agent, supervisor):
    complaint = _requested(customer)
    with pytest.raises(SupervisorsOnly):
        reviews.review_conclude(complaint=complaint, actor=agent, outcome="upheld", note="x")
    with pytest.raises(NotAllowed):
        reviews.review_conclude(complaint=complaint, actor=customer, outcome="upheld", note="x")
    with pytest.raises(ValidationError):
        reviews.review_conclude(complaint=complaint, actor=supervisor, outcome="maybe", note="x")
    with pytest.raises(ValidationError):
        reviews.review_conclude(complaint=complaint, actor=supervisor, outcome="upheld", note="")


def _envelope(event_type, complaint):
    return {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "schema_version": 1,
        "occurred_at": timezone.now().isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": {},
    }


def test_supervisors_are_told_of_a_request_and_the_customer_of_the_outcome(
    customer, supervisor, mailoutbox, settings
):
    settings.COMPLAINT_REFERRALS = [{"name": "Energy Ombudsman", "contact": "Call 0330 440 1624"}]
    complaint = _requested(customer)
    envelope = _envelope("complaint.review_requested", complaint)
    envelope["payload"] = {"actor_id": str(customer.pk)}
    tasks.notify_review_requested(envelope)
    (to_supervisor,) = mailoutbox
    assert to_supervisor.to == [supervisor.email]
    assert complaint.reference in to_supervisor.subject
    assert "Not fair" not in to_supervisor.body

    reviews.review_conclude(
        complaint=complaint, actor=supervisor, outcome="upheld", note="We stand by it."
    )
    tasks.notify_review_concluded(_envelope("complaint.review_concluded", complaint))
    to_customer = mailoutbox[1]
    assert to_customer.to == [customer.email]
    assert "Decision upheld" in to_customer.body
    assert "We stand by it." in to_customer.body
    assert "Energy Ombudsman: Call 0330 440 1624" in to_customer.body
    assert "Energy Ombudsman" in to_customer.alternatives[0][0]
