import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from complaints import errors, services
from complaints.models import Complaint, HistoryKind
from complaints.workflow import Status
from tests.complaints.services.helpers import make_complaint
from tests.complaints.workflow_table import LEGAL, REASON_REQUIRED, ROLES, STATUSES, moves_for
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _actor(role, customer):
    return customer if role == Role.CUSTOMER else UserFactory(role=role)


@pytest.mark.parametrize(("from_status", "to_status", "role"), LEGAL)
def test_every_legal_transition(customer, event_log, from_status, to_status, role):
    complaint = make_complaint(customer=customer, status=from_status)
    actor = _actor(role, customer)
    event_log.clear()

    reason = "Reason text" if to_status in REASON_REQUIRED else ""
    result = services.complaint_transition(
        complaint=complaint, actor=actor, to_status=to_status, reason=reason
    )

    result.refresh_from_db()
    assert result.status == to_status
    entry = result.history.filter(kind=HistoryKind.STATUS_CHANGED).last()
    assert (entry.actor, entry.from_value, entry.to_value) == (actor, from_status, to_status)
    (sent,) = event_log.named("status_changed")
    assert sent["actor_id"] == (str(actor.pk) if actor else None)
    assert (sent["from_status"], sent["to_status"]) == (from_status, to_status)
    assert sent["complaint_id"] == str(complaint.pk)


def test_every_illegal_transition_is_refused_with_allowed_list(customer):
    for from_status in STATUSES:
        complaint = make_complaint(customer=customer, status=from_status)
        for role in ROLES:
            actor = _actor(role, customer)
            allowed = moves_for(from_status, role)
            for to_status in STATUSES:
                if to_status in allowed:
                    continue
                with pytest.raises(errors.TransitionNotAllowed) as exc:
                    services.complaint_transition(
                        complaint=complaint, actor=actor, to_status=to_status, reason="r"
                    )
                assert exc.value.allowed == allowed, (from_status, to_status, role)
                assert exc.value.current_status == from_status
        complaint.refresh_from_db()
        assert complaint.status == from_status


@pytest.mark.parametrize("to_status", sorted(REASON_REQUIRED))
def test_reason_required(customer, agent, to_status):
    complaint = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        services.complaint_transition(
            complaint=complaint, actor=agent, to_status=to_status, reason=" "
        )
    assert "reason" in exc.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS


def test_reasons_are_stored(customer, agent):
    resolved = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    resolved = services.complaint_transition(
        complaint=resolved, actor=agent, to_status=Status.RESOLVED, reason="Refunded."
    )
    rejected = make_complaint(customer=customer, status=Status.NEW)
    rejected = services.complaint_transition(
        complaint=rejected, actor=agent, to_status=Status.REJECTED, reason="Spam."
    )
    resolved.refresh_from_db()
    rejected.refresh_from_db()
    assert resolved.resolution == "Refunded."
    assert rejected.rejection_reason == "Spam."


def test_timestamps_are_stamped(customer, agent):
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_transition(
        complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED
    )
    assert complaint.acknowledged_at is not None
    complaint = services.complaint_transition(
        complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS
    )
    complaint = services.complaint_transition(
        complaint=complaint, actor=agent, to_status=Status.RESOLVED, reason="Done"
    )
    assert complaint.resolved_at is not None
    complaint = services.complaint_transition(
        complaint=complaint, actor=customer, to_status=Status.CLOSED
    )
    assert complaint.closed_at is not None


def test_customer_cannot_move_another_customers_complaint(customer, other_customer):
    complaint = make_complaint(customer=customer)
    with pytest.raises(errors.NotFound):
        services.complaint_transition(
            complaint=complaint, actor=other_customer, to_status=Status.WITHDRAWN
        )


def test_system_actor_has_handler_rights(customer):
    complaint = make_complaint(customer=customer)
    complaint = services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.ACKNOWLEDGED
    )
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.history.last().actor is None
    with pytest.raises(errors.TransitionNotAllowed):
        services.complaint_transition(complaint=complaint, actor=None, to_status=Status.WITHDRAWN)


# --------------------------------------------------------------------------- reopen window


def _resolved(customer, days_ago):
    complaint = make_complaint(customer=customer, status=Status.RESOLVED)
    Complaint.objects.filter(pk=complaint.pk).update(
        resolved_at=timezone.now() - timedelta(days=days_ago)
    )
    complaint.refresh_from_db()
    return complaint


def test_reopen_within_window_resets_resolution_clock(customer, settings):
    settings.COMPLAINT_REOPEN_WINDOW_DAYS = 14
    category = CategoryFactory(resolve_within_hours=100)
    complaint = make_complaint(customer=customer, category=category, status=Status.RESOLVED)
    Complaint.objects.filter(pk=complaint.pk).update(
        resolved_at=timezone.now() - timedelta(days=13),
        resolve_breached_at=timezone.now() - timedelta(days=20),
    )
    before = timezone.now()
    complaint = services.complaint_transition(
        complaint=complaint, actor=customer, to_status=Status.REOPENED
    )
    assert complaint.status == Status.REOPENED
    assert complaint.resolved_at is None
    assert complaint.resolve_breached_at is None
    assert complaint.resolve_due_at >= before + timedelta(hours=100)


def test_reopen_after_window_is_refused(customer, settings):
    settings.COMPLAINT_REOPEN_WINDOW_DAYS = 14
    complaint = _resolved(customer, days_ago=15)
    with pytest.raises(errors.TransitionNotAllowed) as exc:
        services.complaint_transition(
            complaint=complaint, actor=customer, to_status=Status.REOPENED
        )
    assert exc.value.allowed == [Status.CLOSED]
    assert "reopen window" in str(exc.value)


def test_reopen_window_follows_setting(customer, settings):
    settings.COMPLAINT_REOPEN_WINDOW_DAYS = 30
    complaint = _resolved(customer, days_ago=20)
    complaint = services.complaint_transition(
        complaint=complaint, actor=customer, to_status=Status.REOPENED
    )
    assert complaint.status == Status.REOPENED


# --------------------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_do_not_both_win():
    customer = UserFactory(role=Role.CUSTOMER)
    agents = [UserFactory(role=Role.AGENT) for _ in range(2)]
    complaint = make_complaint(customer=customer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(agent, to_status):
        try:
            barrier.wait()
            services.complaint_transition(
                complaint=complaint, actor=agent, to_status=to_status, reason="r"
            )
            outcomes.append("ok")
        except errors.TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(agents[0], Status.ACKNOWLEDGED)),
        threading.Thread(target=worker, args=(agents[1], Status.ACKNOWLEDGED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "ok"]
    assert complaint.history.filter(kind=HistoryKind.STATUS_CHANGED).count() == 1
