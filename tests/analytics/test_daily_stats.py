"""analytics.refresh_daily_stats recomputes a day from the complaints table (idempotent)."""

from datetime import UTC, datetime, timedelta

import pytest

from analytics.models import DailyComplaintStats
from analytics.services import refresh_daily_stats, refresh_daily_stats_range
from analytics.tasks import refresh_daily_stats as refresh_task
from complaints.workflow import Status
from tests.helpers.factories import ComplaintFactory

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 3, 10, tzinfo=UTC).date()
START = datetime(2026, 3, 10, tzinfo=UTC)


def complaint(created, **kw):
    return ComplaintFactory.create(
        created_at=created,
        ack_due_at=created + timedelta(hours=48),
        resolve_due_at=created + timedelta(days=10),
        **kw,
    )


@pytest.fixture
def day_data():
    complaint(START)  # first instant of the day counts
    complaint(START + timedelta(hours=23, minutes=59), ack_breached_at=START + timedelta(days=3))
    complaint(START - timedelta(seconds=1))  # previous day
    complaint(START + timedelta(days=1))  # next day
    complaint(
        START - timedelta(days=4),
        status=Status.RESOLVED,
        acknowledged_at=START + timedelta(hours=1),
        resolved_at=START + timedelta(hours=5),
    )


def test_refresh_counts_one_day(day_data):
    row = refresh_daily_stats(day=DAY)
    assert (row.created, row.acknowledged, row.resolved, row.sla_breached) == (2, 1, 1, 1)


def test_refresh_is_idempotent_and_recomputes(day_data):
    first = refresh_daily_stats(day=DAY)
    again = refresh_daily_stats(day=DAY)
    assert DailyComplaintStats.objects.filter(day=DAY).count() == 1
    assert (again.created, again.resolved) == (first.created, first.resolved)
    # A late-arriving complaint is picked up by recomputation, not lost or double counted.
    complaint(START + timedelta(hours=12))
    refresh_daily_stats(day=DAY)
    refresh_daily_stats(day=DAY)
    assert DailyComplaintStats.objects.get(day=DAY).created == 3


def test_task_wraps_service(day_data):
    result = refresh_task.apply(args=[DAY.isoformat()]).get()
    assert result == {"day": DAY.isoformat(), "created": 2, "resolved": 1}
    refresh_task.apply(args=[DAY.isoformat()]).get()
    assert DailyComplaintStats.objects.count() == 1


def test_range_writes_zero_rows(day_data):
    written = refresh_daily_stats_range(start_day=DAY - timedelta(days=6), end_day=DAY)
    assert written == 7
    rows = {r.day: r.created for r in DailyComplaintStats.objects.all()}
    assert rows[DAY] == 2
    assert rows[DAY - timedelta(days=1)] == 1
    assert rows[DAY - timedelta(days=2)] == 0
