"""The stored aggregates equal a full recompute, after the real services and the real handler.

Every event goes through ``analytics.handlers.sync_complaint`` the way the worker runs it; then
``services.rebuild`` recomputes everything from the complaints and nothing may differ.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.erasure import user_erase
from analytics.models import ComplaintCount, DailyComplaintStats, DurationHistogram
from analytics.selectors import complaint_stats
from analytics.services import sync_complaint
from complaints import services as complaint_services
from complaints.models import Complaint, Priority
from complaints.policies import allowed_transitions
from complaints.sla import scan_breaches
from complaints.workflow import REASON_REQUIRED, Status
from tests.helpers.analytics import Deliverer, assert_stored_equal_recompute
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def move(complaint, to_status, actor=None):
    reason = "Because." if to_status in REASON_REQUIRED else ""
    return complaint_services.complaint_transition(
        complaint=complaint, actor=actor, to_status=to_status, reason=reason
    )


def test_lifecycle_with_reopen_breach_and_erasure(customer, agent, supervisor, category):
    deliver = Deliverer()
    other = CategoryFactory.create()
    c = make_complaint(customer=customer, category=category)
    make_complaint(customer=customer, category=category)  # never acknowledged: breaches
    deliver.deliver()
    c = move(c, Status.ACKNOWLEDGED, agent)
    complaint_services.complaint_assign(complaint=c, actor=supervisor, assignee=agent)
    complaint_services.complaint_assign(complaint=c, actor=supervisor, assignee=supervisor)
    complaint_services.complaint_reroute(
        complaint=c, actor=supervisor, priority=Priority.HIGH, category=other
    )
    c = move(move(c, Status.IN_PROGRESS), Status.RESOLVED)
    deliver.deliver(redeliver=True)
    assert DailyComplaintStats.objects.get(day=timezone.now().date()).resolved == 1

    # Reopened: the resolution no longer counts, on its day or in the histogram.
    c = move(c, Status.REOPENED, customer)
    deliver.deliver()
    assert DailyComplaintStats.objects.get(day=timezone.now().date()).resolved == 0
    assert not DurationHistogram.objects.filter(metric="resolve", complaints__gt=0).exists()

    c = move(move(c, Status.IN_PROGRESS), Status.RESOLVED)
    c = move(c, Status.CLOSED, customer)
    complaint_services.feedback_submit(complaint=c, customer=customer, rating=4)
    # The SLA scan, as if it ran a month from now: both clocks of ``late`` have run out.
    assert scan_breaches(now=timezone.now() + timedelta(days=30))["acknowledge"] == 1
    deliver.deliver(redeliver=True)
    before = assert_stored_equal_recompute()

    stats = complaint_stats(days=7)
    assert stats["by_status"]["closed"] == 1
    assert stats["by_status"]["new"] == 1
    assert stats["by_priority"]["high"] == 1
    assert {row["slug"]: row["count"] for row in stats["by_category"]} == {
        category.slug: 1,
        other.slug: 1,
    }
    assert stats["sla_breached"] == 1
    assert stats["per_day"][-1] == {"day": timezone.now().date(), "created": 2, "resolved": 1}
    assert stats["csat"]["distribution"]["4"] == 1

    # Erasure keeps the complaints and the ratings: the figures stay, and still match.
    user_erase(user=customer)
    deliver.deliver()
    assert assert_stored_equal_recompute() == before


def test_a_deleted_complaint_is_taken_back(customer, category):
    deliver = Deliverer()
    c = make_complaint(customer=customer, category=category, status=Status.RESOLVED)
    deliver.deliver()
    assert ComplaintCount.objects.get(status=Status.RESOLVED).complaints == 1
    Complaint.objects.filter(pk=c.pk).delete()
    assert sync_complaint(c.pk) is True
    assert sync_complaint(c.pk) is False
    assert ComplaintCount.objects.get(status=Status.RESOLVED).complaints == 0
    assert_stored_equal_recompute()


# --------------------------------------------------------------------------- random sequences

OPERATIONS = ("file", "move", "move", "move", "assign", "reroute", "feedback", "scan", "deliver")


def _step(op: str, rng: random.Random, world: dict, deliver: Deliverer) -> None:
    complaints = list(Complaint.objects.filter(pk__in=world["ids"]))
    if op == "file" or not complaints:
        c = make_complaint(customer=world["customer"], category=rng.choice(world["categories"]))
        world["ids"].append(c.pk)
        return
    c = rng.choice(complaints)
    if op == "move":
        actor = rng.choice([None, world["customer"]])
        allowed = allowed_transitions(complaint=c, user=actor)
        if allowed:
            move(c, rng.choice(allowed), actor)
    elif op == "assign":
        assignee = rng.choice([None, world["agent"], world["supervisor"]])
        complaint_services.complaint_assign(
            complaint=c, actor=world["supervisor"], assignee=assignee
        )
    elif op == "reroute":
        complaint_services.complaint_reroute(
            complaint=c,
            actor=world["supervisor"],
            priority=rng.choice(list(Priority)),
            category=rng.choice(world["categories"]),
        )
    elif op == "feedback":
        if c.status in {Status.RESOLVED, Status.CLOSED} and not hasattr(c, "feedback"):
            complaint_services.feedback_submit(
                complaint=c, customer=world["customer"], rating=rng.randint(1, 5)
            )
    elif op == "scan":
        scan_breaches(now=timezone.now() + timedelta(hours=rng.choice([1, 60, 400])))
    else:
        deliver.deliver(redeliver=rng.random() < 0.3)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=25),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_sequences_match_a_recompute(ops, seed, agent, supervisor):
    rng = random.Random(seed)
    customer = UserFactory.create()
    world = {
        "ids": [],
        "customer": customer,
        "agent": agent,
        "supervisor": supervisor,
        "categories": [CategoryFactory.create(), CategoryFactory.create()],
    }
    deliver = Deliverer(rng)
    for op in ops:
        _step(op, rng, world, deliver)
    deliver.deliver(redeliver=True)
    stored = assert_stored_equal_recompute()
    user_erase(user=customer)
    deliver.deliver()
    assert assert_stored_equal_recompute() == stored
