"""Outbox relay: publishes pending outbox rows to Kafka, then marks them published.

At-least-once on the wire (a crash between publish and mark republishes the batch);
consumers deduplicate on ``event_id``. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so
several relays never publish the same row at the same time, and a row whose aggregate (a
complaint, say) still has an older pending row held by another relay waits, so one
aggregate's events reach Kafka in order (they share a partition: the key is its id).
"""

import contextlib
import logging
import select
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import psycopg2
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from kafka.errors import KafkaError

from events.envelope import encode, envelope_for
from events.kafka import make_producer
from events.models import OutboxEvent
from events.outbox import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

FLUSH_TIMEOUT_SECONDS = 30.0


@dataclass
class BatchResult:
    published: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.published + self.failed + self.deferred


# Per aggregate of the batch: the earliest pending row *not* in the batch that precedes the
# batch's last row of that aggregate. It is held by another relay (or was skipped), so only
# the batch's rows before it may go out now; the rest wait for it.
_FIRST_FOREIGN_PENDING_SQL = """
SELECT o.aggregate_id, MIN(o.id)
FROM events_outboxevent o
JOIN unnest(%s::uuid[], %s::bigint[]) AS b(aggregate_id, last_id)
  ON o.aggregate_id = b.aggregate_id
WHERE o.published_at IS NULL AND o.id < b.last_id AND NOT (o.id = ANY(%s::bigint[]))
GROUP BY o.aggregate_id
"""


# Walk the partial index in id order and stop after ``batch_size`` rows. Without this, stale
# statistics (taken while the outbox was nearly empty) make the planner pick a bitmap scan of
# every pending row plus a sort, so each batch of a backlog costs O(backlog); bitmap scans
# also never mark the index entries of published rows dead, so they pile up.
_INDEX_ORDER_SQL = "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off"


def _lock_batch(batch_size: int) -> tuple[list[OutboxEvent], int]:
    with connection.cursor() as cursor:
        cursor.execute(_INDEX_ORDER_SQL)
    rows = list(
        OutboxEvent.objects.select_for_update(skip_locked=True)
        .filter(published_at__isnull=True)
        .order_by("id")[:batch_size]
    )
    if not rows:
        return rows, 0
    last_id: dict = {}
    for row in rows:
        last_id[row.aggregate_id] = row.id  # rows come in id order: the last one wins
    with connection.cursor() as cursor:
        cursor.execute(
            _FIRST_FOREIGN_PENDING_SQL,
            [[str(a) for a in last_id], list(last_id.values()), [row.id for row in rows]],
        )
        blocker = dict(cursor.fetchall())
    if not blocker:
        return rows, 0
    kept = [
        row for row in rows if row.aggregate_id not in blocker or row.id < blocker[row.aggregate_id]
    ]
    return kept, len(rows) - len(kept)


_MARK_PUBLISHED_SQL = "UPDATE events_outboxevent SET published_at = %s WHERE id = ANY(%s)"


def _mark(published_ids: list[int], failures: dict[str, list[int]]) -> None:
    if published_ids:
        # One statement with one array parameter (not an IN list of ``batch_size`` literals).
        with connection.cursor() as cursor:
            cursor.execute(_MARK_PUBLISHED_SQL, [timezone.now(), published_ids])
    for error, ids in failures.items():
        OutboxEvent.objects.filter(id__in=ids).update(
            attempts=F("attempts") + 1, last_error=error[:2000]
        )


def publish_batch(producer, batch_size: int = 500, *, topic: str | None = None) -> BatchResult:
    """Publish one batch in one transaction and return what happened."""
    topic = topic or settings.EVENTS_TOPIC
    result = BatchResult()
    with transaction.atomic():
        rows, result.deferred = _lock_batch(batch_size)
        if not rows:
            return result
        sent = []
        for row in rows:
            try:
                future = producer.send(
                    topic, key=str(row.aggregate_id).encode(), value=encode(envelope_for(row))
                )
            except Exception as exc:  # noqa: BLE001 - e.g. no metadata: the broker is down
                sent.append((row, exc))
                break  # the rest would block the same way; they stay pending untouched
            sent.append((row, future))
        try:
            producer.flush(timeout=FLUSH_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - futures below tell which records made it
            logger.warning("outbox relay flush failed: %r", exc)
        published_ids: list[int] = []
        failures: dict[str, list[int]] = defaultdict(list)
        failed_aggregates: set = set()
        for row, future in sent:
            if isinstance(future, Exception):
                error = repr(future)
            elif not future.is_done:
                error = "not acknowledged before the flush timeout"
            elif future.failed():
                error = repr(future.exception)
            elif row.aggregate_id in failed_aggregates:
                # Delivered, but after an earlier event of its aggregate failed: republish
                # both in order (a duplicate the consumers ignore).
                error = "earlier event of the same aggregate failed"
            else:
                published_ids.append(row.id)
                continue
            failed_aggregates.add(row.aggregate_id)
            failures[error].append(row.id)
        _mark(published_ids, failures)
    result.published = len(published_ids)
    result.failed = sum(len(ids) for ids in failures.values())
    result.errors = list(failures)
    return result


def connect_outside_django():
    """A plain psycopg2 connection to Django's database, outside Django's connection handling.

    For what Django's connection cannot do: wait on ``LISTEN`` while the ORM works, or hold
    a second transaction.
    """
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's own cursor class and context
    params.pop("context", None)
    return psycopg2.connect(**params)


class OutboxRelay:
    """Long-running loop: drain the outbox, then sleep until NOTIFY outbox or the poll timeout."""

    def __init__(
        self,
        *,
        batch_size: int | None = None,
        poll_seconds: float | None = None,
        max_backoff: float | None = None,
        producer_factory=make_producer,
        coalesce_ms: float | None = None,
    ):
        self.batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
        self.poll_seconds = poll_seconds or settings.EVENTS_RELAY_POLL_SECONDS
        self.max_backoff = max_backoff or settings.EVENTS_RELAY_MAX_BACKOFF_SECONDS
        self.producer_factory = producer_factory
        self.coalesce_seconds = (
            settings.EVENTS_RELAY_COALESCE_MS if coalesce_ms is None else coalesce_ms
        ) / 1000
        self._stop = threading.Event()
        self._listen_conn = None
        self.published_total = 0

    def stop(self, *args) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # -- LISTEN outbox -------------------------------------------------------------
    def _listen(self):
        if self._listen_conn is not None and not self._listen_conn.closed:
            return self._listen_conn
        try:
            conn = connect_outside_django()
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg2.Error as exc:
            logger.warning("outbox relay cannot LISTEN, polling instead: %r", exc)
            return None
        self._listen_conn = conn
        return conn

    def _wait_for_work(self, timeout: float) -> None:
        """Return when notified, when ``timeout`` passes or when asked to stop."""
        deadline = time.monotonic() + timeout
        conn = self._listen()
        while not self.stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            step = min(remaining, 0.5)
            if conn is None:
                time.sleep(step)
                continue
            try:
                readable, _, _ = select.select([conn], [], [], step)
                if readable:
                    conn.poll()
                    if conn.notifies:
                        # Each commit notifies once: linger a few ms so the commits arriving
                        # meanwhile share one batch (one transaction, one flush) instead of
                        # paying a batch each, then drop the notifications they sent.
                        if self.coalesce_seconds > 0:
                            self._stop.wait(self.coalesce_seconds)
                            conn.poll()
                        conn.notifies.clear()
                        return
            except (psycopg2.Error, OSError, ValueError) as exc:
                logger.warning("outbox relay lost its LISTEN connection: %r", exc)
                self._close_listen()
                conn = None

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _close_listen(self) -> None:
        if self._listen_conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._listen_conn.close()
        self._listen_conn = None

    # -- main loop ------------------------------------------------------------------
    def run(self) -> None:
        producer = None
        backoff = 0.0
        self._listen()  # listen before the first drain so no notification is missed
        try:
            while not self.stopping:
                close_old_connections()
                try:
                    if producer is None:
                        producer = self.producer_factory()
                    result = publish_batch(producer, self.batch_size)
                except (KafkaError, OSError) as exc:
                    error = repr(exc)
                    result = None
                except DatabaseError as exc:
                    logger.warning("outbox relay database error: %r", exc)
                    connection.close()
                    backoff = min(max(backoff * 2, 0.5), self.max_backoff)
                    self._sleep(backoff)
                    continue
                if result is not None and not result.failed:
                    backoff = 0.0
                    self.published_total += result.published
                    if result.published:
                        logger.info("outbox relay published %s event(s)", result.published)
                    if result.claimed >= self.batch_size:
                        continue  # more waiting: drain without sleeping
                    self._wait_for_work(0.05 if result.deferred else self.poll_seconds)
                    continue
                if result is not None:
                    self.published_total += result.published
                    error = result.errors[0]
                backoff = min(max(backoff * 2, 0.2), self.max_backoff)
                logger.warning(
                    "outbox relay: broker unavailable (%s); retry in %.1fs", error, backoff
                )
                if producer is not None:
                    with contextlib.suppress(Exception):  # replacing a broken producer
                        producer.close(timeout=1)
                    producer = None
                self._sleep(backoff)
        finally:
            if producer is not None:
                producer.close(timeout=5)
            self._close_listen()
