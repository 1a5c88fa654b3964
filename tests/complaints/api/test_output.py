"""The lean list/detail bodies (``complaints.api.output``) equal the serializers' output."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from complaints import merging, reviews, selectors, services
from complaints.api import output
from complaints.api.serializers import ComplaintListOutSerializer, ComplaintOutSerializer
from complaints.models import Complaint
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def variety(customer, agent, supervisor):
    """Complaints in every status, with and without assignee, feedback, reasons, a remedy, an
    internal review (open and concluded), merge links and the unread marker; one another
    customer's complaint merged into one of ``customer``'s."""
    complaints = [make_complaint(customer=customer, status=status) for status in Status]
    services.complaint_assign(complaint=complaints[1], actor=None, assignee=agent)
    resolved = next(c for c in complaints if c.status == Status.RESOLVED)
    services.feedback_submit(complaint=resolved, customer=customer, rating=5, comment="Great")
    # A second resolved complaint, resolved long ago: its reopen window has closed.
    old = make_complaint(customer=customer, status=Status.RESOLVED)
    Complaint.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=365))
    # A new complaint nobody acknowledged in time: overdue.
    Complaint.objects.filter(pk=complaints[0].pk).update(
        ack_due_at=timezone.now() - timedelta(hours=1)
    )
    # A remedy sought, open and (after the review) concluded.
    remedy = make_complaint(customer=customer, status=Status.IN_PROGRESS, remedy_sought="Refund")
    rejected = make_complaint(customer=customer, status=Status.REJECTED, remedy_sought="Refund")
    reviewed = reviews.review_request(complaint=rejected, customer=customer, reason="Unfair")
    reviews.review_conclude(complaint=reviewed, actor=supervisor, outcome="upheld", note="Sorry")
    closed = next(c for c in complaints if c.status == Status.CLOSED)
    reviews.review_request(complaint=closed, customer=customer, reason="Not what I asked")
    # Merged across customers: the target's customer does not see the duplicate.
    other = make_complaint(customer=UserFactory.create(), status=Status.ACKNOWLEDGED)
    duplicate = next(c for c in complaints if c.status == Status.MERGED)
    merging.complaint_merge(complaint=other, into_id=duplicate.merged_into_id, actor=supervisor)
    # The customer replied on two; the agent has opened one of them since.
    for replied in (remedy, complaints[1]):
        services.comment_create(complaint=replied, author=customer, body="Any news?")
    services.complaint_mark_seen(user=agent, complaint_id=remedy.pk)
    return [*complaints, old, remedy, rejected, other]


def _callers(customer, agent, supervisor):
    return [customer, agent, supervisor, UserFactory.create(role="admin")]


def _serialized(user, complaint_id, serializer_class):
    request = RequestFactory().get("/")
    request.user = user
    complaint = selectors.complaint_get_for_serializers(user=user, complaint_id=complaint_id)
    return serializer_class(complaint, context={"request": request}).data


def test_list_items_equal_the_list_serializer(variety, customer, agent, supervisor):
    for user in _callers(customer, agent, supervisor):
        rows, _ = selectors.complaint_list(user=user, filters={}).page(offset=0, limit=100)
        assert len(rows) == selectors.complaint_list(user=user).keys.count() > 10
        for item in output.complaint_list_items(rows, user=user):
            assert item == _serialized(user, item["id"], ComplaintListOutSerializer), user.role


def test_detail_equals_the_detail_serializer(variety, customer, agent, supervisor):
    for user in _callers(customer, agent, supervisor):
        for complaint in selectors.complaint_list(user=user).keys:
            row = selectors.complaint_values_get(user=user, complaint_id=complaint.pk)
            body = output.complaint_detail(row, user=user)
            assert body == _serialized(user, complaint.pk, ComplaintOutSerializer), user.role
            assert list(body) == list(_serialized(user, complaint.pk, ComplaintOutSerializer))


def test_the_variety_exercises_every_flag(variety, customer, agent):
    rows, _ = selectors.complaint_list(user=customer, filters={}).page(offset=0, limit=100)
    items = output.complaint_list_items(rows, user=customer)
    for flag in ("can_give_feedback", "can_edit", "can_comment"):
        assert {item[flag] for item in items} == {True, False}, flag
    assert {item["is_overdue"] for item in items} == {True, False}
    assert any(item["feedback"] for item in items)
    assert any(item["rejection_reason"] for item in items)
    assert any("reopened" in item["allowed_transitions"] for item in items)
    resolved = [item for item in items if item["status"] == Status.RESOLVED]
    assert {"reopened" in item["allowed_transitions"] for item in resolved} == {True, False}


def _details(user):
    return [
        output.complaint_detail(
            selectors.complaint_values_get(user=user, complaint_id=c.pk), user=user
        )
        for c in selectors.complaint_list(user=user).keys
    ]


def test_the_variety_exercises_the_detail_and_the_marker(variety, customer, agent, supervisor):
    rows, _ = selectors.complaint_list(user=agent, filters={}).page(offset=0, limit=100)
    items = output.complaint_list_items(rows, user=agent)
    assert {item["has_unread_activity"] for item in items} == {True, False}
    details = _details(customer)
    assert {d["review"]["outcome"] for d in details if d["review"]} == {"", "upheld"}
    assert any(d["review"] and d["review"]["note"] for d in details)
    assert any(d["referrals"] for d in details)
    assert any(d["transitions_requiring_remedy_outcome"] for d in _details(supervisor))
    # The customer sees their own duplicate; staff see the other customer's too, and where
    # it went, which its own customer does not.
    assert max(len(d["merged_complaints"]) for d in details) == 1
    assert max(len(d["merged_complaints"]) for d in _details(supervisor)) == 2
    assert any(d["merged_into"] for d in details)
    (other,) = [d for d in _details(supervisor) if d["customer"]["id"] != str(customer.pk)]
    assert other["merged_into"] is not None


def test_keys_are_the_schema_properties(variety, agent):
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    rows, _ = selectors.complaint_list(user=agent, filters={}).page(offset=0, limit=1)
    (item,) = output.complaint_list_items(rows, user=agent)
    assert set(item) == set(schemas["ComplaintListOut"]["properties"])
    row = selectors.complaint_values_get(user=agent, complaint_id=item["id"])
    assert set(output.complaint_detail(row, user=agent)) == set(
        schemas["ComplaintOut"]["properties"]
    )
