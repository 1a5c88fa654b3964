"""Retention of the event tables (events/retention.py): old relayed outbox rows and old
processed-event rows go, in batches; recent ones and unpublished outbox rows stay."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints_project.celery import app as celery_app
from events.models import OutboxEvent, ProcessedEvent
from events.retention import purge_event_tables
from events.tasks import purge_event_tables as purge_task

pytestmark = pytest.mark.django_db(transaction=True)

DAYS = 7


def _outbox(count: int, *, age: timedelta, published: bool) -> list[int]:
    now = timezone.now()
    rows = OutboxEvent.objects.bulk_create(
        OutboxEvent(
            type="thing.happened",
            aggregate_id=uuid.uuid4(),
            occurred_at=now - age,
            published_at=now - age if published else None,
        )
        for _ in range(count)
    )
    return [row.pk for row in rows]


def _processed(count: int, *, age: timedelta) -> list[int]:
    rows = ProcessedEvent.objects.bulk_create(
        ProcessedEvent(event_id=uuid.uuid4(), handler="h", processed_at=timezone.now() - age)
        for _ in range(count)
    )
    return [row.pk for row in rows]


def _deletes(ctx: CaptureQueriesContext, table: str) -> int:
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].startswith("DELETE") and q["sql"].split(" WHERE ")[0].endswith(table)
    )


def test_old_published_rows_go_and_recent_or_unpublished_rows_stay(settings):
    settings.EVENTS_RETENTION_DAYS = DAYS
    old_published = _outbox(7, age=timedelta(days=DAYS, hours=1), published=True)
    old_pending = _outbox(3, age=timedelta(days=30), published=False)
    recent_published = _outbox(4, age=timedelta(days=DAYS - 1), published=True)
    old_processed = _processed(6, age=timedelta(days=DAYS, minutes=5))
    recent_processed = _processed(2, age=timedelta(hours=1))

    result = purge_event_tables()

    assert result.outbox_deleted == len(old_published)
    assert result.processed_deleted == len(old_processed)
    assert result.complete
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {
        *old_pending,
        *recent_published,
    }
    assert set(ProcessedEvent.objects.values_list("pk", flat=True)) == set(recent_processed)


def test_deletes_in_batches_until_done():
    _outbox(12, age=timedelta(days=DAYS + 1), published=True)
    _processed(5, age=timedelta(days=DAYS + 1))
    keep = _outbox(2, age=timedelta(days=DAYS + 1), published=False)

    with CaptureQueriesContext(connection) as ctx:
        result = purge_event_tables(retention=timedelta(days=DAYS), batch_size=5)

    assert (result.outbox_deleted, result.processed_deleted, result.complete) == (12, 5, True)
    # 5 + 5 + 2 outbox rows; 5 processed rows, then an empty batch says there are no more.
    assert _deletes(ctx, OutboxEvent._meta.db_table) == 3
    assert _deletes(ctx, ProcessedEvent._meta.db_table) == 2
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == keep
    assert not ProcessedEvent.objects.exists()


def test_stops_when_the_time_budget_is_spent_and_the_next_run_goes_on():
    _outbox(6, age=timedelta(days=DAYS + 1), published=True)
    _processed(6, age=timedelta(days=DAYS + 1))

    # No time at all: nothing is deleted and the run says it is not complete.
    stopped = purge_event_tables(retention=timedelta(days=DAYS), batch_size=2, time_budget=0)
    assert (stopped.outbox_deleted, stopped.processed_deleted, stopped.complete) == (0, 0, False)

    finished = purge_event_tables(retention=timedelta(days=DAYS), batch_size=2)
    assert (finished.outbox_deleted, finished.processed_deleted, finished.complete) == (6, 6, True)


def test_each_batch_reads_its_ids_from_an_index():
    _outbox(3, age=timedelta(days=DAYS + 1), published=True)
    _processed(3, age=timedelta(days=DAYS + 1))
    cutoff = timezone.now() - timedelta(days=DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plans = {}
        for table, column, index in (
            (OutboxEvent._meta.db_table, "published_at", "outbox_published"),
            (ProcessedEvent._meta.db_table, "processed_at", "processed_event_at"),
        ):
            cursor.execute(
                f"EXPLAIN SELECT id FROM {table} WHERE {column} < %s "  # noqa: S608
                f"ORDER BY {column} LIMIT 5000",
                [cutoff],
            )
            plans[index] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    for index, plan in plans.items():
        assert index in plan, plan


def test_the_beat_task_purges_and_is_scheduled(settings):
    settings.EVENTS_RETENTION_DAYS = DAYS
    _outbox(2, age=timedelta(days=DAYS + 1), published=True)
    _processed(1, age=timedelta(days=DAYS + 1))

    assert purge_task.apply().get() == {
        "outbox_deleted": 2,
        "processed_deleted": 1,
        "complete": True,
    }
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "events.purge_event_tables" in tasks
