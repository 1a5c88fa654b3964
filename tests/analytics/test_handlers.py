"""The analytics handler, the beat tasks and the rebuild command keep the aggregates right."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from analytics import handlers, services
from analytics.events import NOT_COUNTED, SYNC_COMPLAINT
from analytics.models import ComplaintCount, ComplaintFact, DailyComplaintStats
from complaints.events import ComplaintEvent
from complaints.models import Complaint
from complaints.workflow import Status
from complaints_project.celery import app
from events import dispatch
from events.models import ProcessedEvent
from tests.helpers.analytics import Deliverer, aggregates, assert_stored_equal_recompute
from tests.helpers.complaints import make_complaint
from tests.helpers.events import valid_envelope

pytestmark = pytest.mark.django_db


def test_every_complaint_event_that_can_change_a_figure_syncs_its_complaint():
    for event_type in ComplaintEvent:
        synced = SYNC_COMPLAINT in dispatch.handlers_for(event_type)
        assert synced == (event_type not in NOT_COUNTED), event_type
    assert {ComplaintEvent.COMMENTED, ComplaintEvent.ASSIGNED} == NOT_COUNTED


def test_the_handler_claims_once_and_counts_once(customer, category):
    complaint = make_complaint(customer=customer, category=category)
    envelope = valid_envelope(aggregate_id=str(complaint.pk))
    assert handlers.sync_complaint(envelope) is True
    assert handlers.sync_complaint(envelope) is False  # redelivered
    # Another event of the same complaint finds nothing to change.
    assert handlers.sync_complaint(valid_envelope(aggregate_id=str(complaint.pk))) is True
    assert ProcessedEvent.objects.filter(handler=SYNC_COMPLAINT).count() == 2
    assert ComplaintCount.objects.get(status=Status.NEW).complaints == 1
    assert DailyComplaintStats.objects.get().created == 1


def test_an_unknown_complaint_changes_nothing():
    assert services.sync_complaint(valid_envelope()["aggregate_id"]) is False
    assert aggregates() == {agg.table: {} for agg in services.AGGREGATES}


def test_recheck_counts_a_due_time_passing_without_an_event(customer, category):
    make_complaint(customer=customer, category=category)
    Deliverer().deliver()
    fact = ComplaintFact.objects.get()
    assert not fact.overdue
    assert fact.recheck_at is not None
    later = fact.recheck_at + timedelta(seconds=1)
    assert services.recheck_due(now=later) == 1
    count = ComplaintCount.objects.get(status=Status.NEW)
    assert (count.overdue, count.sla_breached, count.sla_decided) == (1, 1, 1)
    assert services.recheck_due(now=later) == 0
    assert_stored_equal_recompute(now=later)


def test_reconcile_repairs_what_no_event_announced(customer, category):
    complaint = make_complaint(customer=customer, category=category)
    Deliverer().deliver()
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.REJECTED)
    assert services.reconcile() == {"stale": 1, "rebuilt": 0}
    assert ComplaintCount.objects.get(status=Status.REJECTED).complaints == 1
    assert services.reconcile() == {"stale": 0, "rebuilt": 0}
    assert_stored_equal_recompute()


def test_reconcile_rebuilds_when_much_is_stale(customer, category):
    for _ in range(3):
        make_complaint(customer=customer, category=category)
    assert services.reconcile(rebuild_above=2) == {"stale": 3, "rebuilt": 3}
    assert ComplaintCount.objects.get().complaints == 3


def test_rebuild_stats_command(customer, category):
    make_complaint(customer=customer, category=category, status=Status.RESOLVED)
    out = StringIO()
    call_command("rebuild_stats", stdout=out)
    assert "Rebuilt the stats of 1 complaint(s)" in out.getvalue()
    assert DailyComplaintStats.objects.get().resolved == 1


def test_beat_schedule_runs_the_recheck_and_the_safety_net():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"analytics.recheck_due", "analytics.reconcile"} <= tasks


@pytest.mark.django_db(transaction=True)
def test_concurrent_syncs_count_each_complaint_once(customer, category):
    complaints = [make_complaint(customer=customer, category=category) for _ in range(3)]
    # Two events per complaint handled at the same time by six workers.
    envelopes = [valid_envelope(aggregate_id=str(c.pk)) for c in complaints for _ in range(2)]
    start = threading.Barrier(len(envelopes))

    def work(envelope):
        try:
            start.wait()
            return handlers.sync_complaint(envelope)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(envelopes)) as pool:
        claimed = [f.result() for f in [pool.submit(work, e) for e in envelopes]]
    assert claimed == [True] * len(envelopes)
    assert ComplaintCount.objects.get(status=Status.NEW).complaints == 3
    assert DailyComplaintStats.objects.get(day=timezone.now().date()).created == 3
    assert_stored_equal_recompute()
