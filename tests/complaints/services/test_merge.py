"""complaints.merging.complaint_merge: who may merge what into what, and what it records."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from complaints import merging, sla, tasks
from complaints.errors import ConflictError, NotAllowed, NotFound, SupervisorsOnly
from complaints.models import Complaint, HistoryEntry, HistoryKind
from complaints.workflow import Status
from tests.helpers import workflow_table as table
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory

pytestmark = pytest.mark.django_db


def merge(duplicate, into, actor):
    return merging.complaint_merge(complaint=duplicate, into_id=into.pk, actor=actor)


@pytest.mark.parametrize("status", sorted(table.MERGEABLE))
def test_a_duplicate_in_any_status_that_can_still_move_is_merged(customer, agent, status):
    duplicate = make_complaint(customer=customer, status=status)
    into = make_complaint(customer=customer)

    merged = merge(duplicate, into, agent)

    merged.refresh_from_db()
    assert (merged.status, merged.merged_into_id) == (Status.MERGED, into.pk)
    assert merged.merged_at is not None


def test_merge_records_history_on_both_and_one_event(customer, agent, event_log):
    duplicate = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    into = make_complaint(customer=customer)
    event_log.clear()

    merge(duplicate, into, agent)

    own = HistoryEntry.objects.filter(complaint=duplicate).order_by("id")
    assert [(e.kind, e.from_value, e.to_value) for e in own][-2:] == [
        (HistoryKind.STATUS_CHANGED, Status.IN_PROGRESS, Status.MERGED),
        (HistoryKind.MERGED, duplicate.reference, into.reference),
    ]
    joined = HistoryEntry.objects.get(complaint=into, kind=HistoryKind.MERGED)
    assert (joined.from_value, joined.to_value, joined.is_internal) == (
        duplicate.reference,
        into.reference,
        False,
    )
    assert event_log.types() == ["complaint.merged"]
    (payload,) = event_log.named("merged")
    assert payload["complaint_id"] == str(duplicate.pk)
    assert payload["status"] == Status.MERGED
    assert payload["from_status"] == Status.IN_PROGRESS
    assert payload["into_complaint_id"] == str(into.pk)
    assert payload["into_reference"] == into.reference
    assert payload["same_customer"] is True
    assert payload["actor_id"] == str(agent.pk)


def test_merging_into_itself_is_a_field_error(customer, agent):
    duplicate = make_complaint(customer=customer)
    with pytest.raises(ValidationError) as exc:
        merge(duplicate, duplicate, agent)
    assert "into" in exc.value.message_dict


def test_an_unknown_target_is_a_field_error(customer, agent):
    duplicate = make_complaint(customer=customer)
    for into_id in (uuid.uuid4(), None):
        with pytest.raises(ValidationError) as exc:
            merging.complaint_merge(complaint=duplicate, into_id=into_id, actor=agent)
        assert exc.value.message_dict == {"into": ["No such complaint."]}


@pytest.mark.parametrize("status", sorted(table.FINAL))
def test_nothing_merges_into_a_final_complaint(customer, agent, status):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=customer, status=status)
    with pytest.raises(ConflictError) as exc:
        merge(duplicate, into, agent)
    assert exc.value.extra["current_status"] == status
    duplicate.refresh_from_db()
    assert duplicate.status == Status.NEW


@pytest.mark.parametrize("status", sorted(table.FINAL))
def test_a_final_complaint_is_not_merged(customer, agent, status):
    duplicate = make_complaint(customer=customer, status=status)
    into = make_complaint(customer=customer)
    with pytest.raises(ConflictError):
        merge(duplicate, into, agent)


def test_no_chains_what_was_merged_into_the_duplicate_moves_on(customer, agent):
    first = make_complaint(customer=customer)
    middle = make_complaint(customer=customer)
    root = make_complaint(customer=customer)
    merge(first, middle, agent)

    merge(middle, root, agent)

    assert set(Complaint.objects.filter(merged_into=root).values_list("pk", flat=True)) == {
        first.pk,
        middle.pk,
    }
    # And the merged one cannot receive anything any more.
    with pytest.raises(ConflictError, match="itself merged"):
        merge(make_complaint(customer=customer), middle, agent)


def test_across_customers_only_supervisors_and_admins(customer, other_customer, agent):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=other_customer)
    with pytest.raises(SupervisorsOnly, match="different customers"):
        merge(duplicate, into, agent)
    for role in (Role.SUPERVISOR, Role.ADMIN):
        fresh = make_complaint(customer=customer)
        merge(fresh, into, UserFactory.create(role=role))
    # The other customer's timeline does not show a merge from someone else's complaint.
    entries = HistoryEntry.objects.filter(complaint=into, kind=HistoryKind.MERGED)
    assert [e.is_internal for e in entries] == [True, True]


def test_customers_cannot_merge(customer, other_customer):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=customer)
    with pytest.raises(NotAllowed):
        merge(duplicate, into, customer)
    with pytest.raises(NotFound):
        merge(duplicate, into, other_customer)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.NEW


def test_the_duplicates_sla_stops(customer, agent):
    late = timezone.now() - timedelta(hours=1)
    duplicate = make_complaint(customer=customer, status=Status.IN_PROGRESS)
    waiting = make_complaint(customer=customer)
    Complaint.objects.filter(pk__in=[duplicate.pk, waiting.pk]).update(
        ack_due_at=late, resolve_due_at=late
    )
    into = make_complaint(customer=customer)
    merge(duplicate, into, agent)
    merge(waiting, into, agent)

    assert sla.scan_breaches() == {sla.ACKNOWLEDGE: 0, sla.RESOLVE: 0}
    assert not Complaint.objects.filter(
        pk__in=[duplicate.pk, waiting.pk], resolve_breached_at__isnull=False
    ).exists()


def _envelope(payload, aggregate_id):
    return {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.merged",
        "schema_version": 1,
        "occurred_at": timezone.now().isoformat(),
        "aggregate_id": str(aggregate_id),
        "payload": payload,
    }


def test_the_customer_is_emailed_where_it_carries_on(customer, agent, event_log, mailoutbox):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=customer, title="Kettle leaks")
    event_log.clear()
    merge(duplicate, into, agent)
    (payload,) = event_log.named("merged")

    assert tasks.notify_merged(_envelope(payload, duplicate.pk)) is True

    (email,) = mailoutbox
    assert email.to == [customer.email]
    assert into.reference in email.subject
    assert f"your complaint {into.reference}" in email.body
    assert "Kettle leaks" in email.body
    assert into.reference in email.alternatives[0][0]


def test_across_customers_the_email_names_no_other_complaint(
    customer, other_customer, supervisor, event_log, mailoutbox
):
    duplicate = make_complaint(customer=customer)
    into = make_complaint(customer=other_customer, title="Their own words")
    event_log.clear()
    merge(duplicate, into, supervisor)
    (payload,) = event_log.named("merged")

    tasks.notify_merged(_envelope(payload, duplicate.pk))

    (email,) = mailoutbox
    assert email.to == [customer.email]
    text = email.subject + email.body + str(email.alternatives[0][0])
    assert into.reference not in text
    assert "Their own words" not in text
    assert duplicate.reference in text
