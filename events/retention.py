"""Retention of the event tables: what the relay published, and the ledger of what consumers
processed, are deleted once they are older than ``EVENTS_RETENTION_DAYS``.

At 100 events/s each table grows by about 8.6 million rows a day. The beat task
(``events.tasks.purge_event_tables``) deletes in batches of ``EVENTS_RETENTION_BATCH_SIZE``
rows, one short statement (and transaction) each, so it never holds many row locks or a long
transaction, and stops after ``EVENTS_RETENTION_TIME_BUDGET_SECONDS``; the next run goes on
where it stopped. Each batch's ids come from an index range scan (``outbox_published`` and
``processed_event_at``), so a batch costs the same however large the backlog.

Never deleted: outbox rows the relay has not published yet (``published_at`` NULL), whatever
their age; ``events.health.check_outbox`` reports those. A processed-event row is kept for as
long as a redelivery of its event is possible: keep the retention at least as long as the
topic's ``retention.ms`` (Kafka's default is 7 days).
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from events.models import OutboxEvent, ProcessedEvent


@dataclass(frozen=True)
class PurgeResult:
    outbox_deleted: int
    processed_deleted: int
    # False when the time budget ran out before every old row was gone.
    complete: bool


class _Purge:
    """Deletes the rows of one table with ``column < cutoff``, one batch per ``step()``."""

    def __init__(self, *, table: str, column: str, cutoff: datetime, batch_size: int) -> None:
        self.statement = (
            f"DELETE FROM {table} WHERE id IN ("  # noqa: S608 - table and column are ours
            f"SELECT id FROM {table} WHERE {column} < %s ORDER BY {column} LIMIT %s)"
        )
        self.cutoff = cutoff
        self.batch_size = batch_size
        self.deleted = 0
        self.done = False

    def step(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(self.statement, [self.cutoff, self.batch_size])
            count = cursor.rowcount
        self.deleted += count
        self.done = count < self.batch_size


def purge_event_tables(
    *,
    now: datetime | None = None,
    retention: timedelta | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
) -> PurgeResult:
    """Delete published outbox rows and processed-event rows older than the retention.

    Batches of the two tables alternate until both are done or the time budget is spent.
    Every batch is its own statement in autocommit mode: call it outside a transaction.
    """
    cutoff = (now or timezone.now()) - (retention or timedelta(days=settings.EVENTS_RETENTION_DAYS))
    size = batch_size or settings.EVENTS_RETENTION_BATCH_SIZE
    budget = settings.EVENTS_RETENTION_TIME_BUDGET_SECONDS if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    # published_at < cutoff is never true for an unpublished (NULL) row.
    outbox = _Purge(
        table=OutboxEvent._meta.db_table, column="published_at", cutoff=cutoff, batch_size=size
    )
    processed = _Purge(
        table=ProcessedEvent._meta.db_table, column="processed_at", cutoff=cutoff, batch_size=size
    )
    pending = [outbox, processed]
    while pending and time.monotonic() < deadline:
        for purge in pending:
            purge.step()
        pending = [purge for purge in pending if not purge.done]
    return PurgeResult(
        outbox_deleted=outbox.deleted, processed_deleted=processed.deleted, complete=not pending
    )
