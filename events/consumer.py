"""Kafka → Celery hand-off. Offsets are committed only after the tasks are queued.

Invalid messages (unparseable, unknown schema_version or type) go to the dead-letter
topic with the reason, and the consumer moves on. Redelivery is harmless: each task claims
(event_id, handler) in its own transaction.
"""

import logging
import threading

from django.conf import settings
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from events.dispatch import hand_off
from events.envelope import InvalidEvent, decode
from events.kafka import make_consumer, make_producer

logger = logging.getLogger(__name__)

# Bounds on a commit and on close() (both default to request_timeout_ms, 30 s each) so that a
# silent broker cannot hold SIGTERM up for a minute; an uncommitted offset is redelivered.
COMMIT_TIMEOUT_MS = 5000
CLOSE_TIMEOUT_MS = 3000


class HandOffError(Exception):
    """The Celery broker did not take a task; the message is retried, never skipped."""


class EventConsumer:
    def __init__(
        self,
        *,
        consumer=None,
        dlq_producer=None,
        consumer_overrides: dict | None = None,
        hand_off=hand_off,
        max_backoff: float = 30.0,
    ):
        self.consumer = consumer or make_consumer(
            settings.EVENTS_TOPIC, **(consumer_overrides or {})
        )
        self._dlq_producer = dlq_producer
        self.hand_off = hand_off
        self.max_backoff = max_backoff
        self._stop = threading.Event()
        self.handled = 0
        self.dead_lettered = 0

    def stop(self, *args) -> None:
        self._stop.set()

    @property
    def dlq_producer(self):
        if self._dlq_producer is None:
            self._dlq_producer = make_producer(client_id="complaints-event-consumer-dlq")
        return self._dlq_producer

    def dead_letter(self, message, reason: str) -> None:
        headers = [
            ("dlq.reason", reason.encode()[:1000]),
            ("dlq.source.topic", message.topic.encode()),
            ("dlq.source.partition", str(message.partition).encode()),
            ("dlq.source.offset", str(message.offset).encode()),
        ]
        future = self.dlq_producer.send(
            settings.EVENTS_DLQ_TOPIC, key=message.key, value=message.value, headers=headers
        )
        self.dlq_producer.flush(timeout=15)
        future.get(timeout=15)  # raises: the message is then retried, not lost
        self.dead_lettered += 1
        logger.warning(
            "event sent to the dead-letter topic",
            extra={"reason": reason, "partition": message.partition, "offset": message.offset},
        )

    def handle(self, message) -> None:
        try:
            event = decode(message.value)
        except InvalidEvent as exc:
            self.dead_letter(message, str(exc))
            return
        try:
            self.hand_off(event)
        except Exception as exc:
            raise HandOffError(repr(exc)) from exc
        self.handled += 1

    def commit(self, offsets: dict) -> None:
        try:
            self.consumer.commit(offsets, timeout_ms=COMMIT_TIMEOUT_MS)
        except CommitFailedError as exc:
            # A rebalance took the partition away: its new owner gets the messages again.
            logger.warning("offset commit failed, messages will be redelivered: %r", exc)

    def process(self, records: dict) -> bool:
        """Handle one poll's records partition by partition; False if something must be retried.

        Offsets are committed once per poll (one round trip for every partition), after all
        the hand-offs; on a failure, what was handed off is committed before rewinding.
        """
        items = list(records.items())
        offsets: dict = {}
        for index, (tp, messages) in enumerate(items):
            done = None
            try:
                for message in messages:
                    self.handle(message)
                    done = message.offset
            except (HandOffError, KafkaError) as exc:
                logger.warning("event hand-off failed, will retry: %r", exc)
                # Rewind this partition and those not reached yet: nothing is skipped. Before
                # the commit, which can raise too (then nothing is committed, all redelivered).
                self.consumer.seek(tp, messages[0].offset if done is None else done + 1)
                for later_tp, later_messages in items[index + 1 :]:
                    self.consumer.seek(later_tp, later_messages[0].offset)
                if done is not None:
                    offsets[tp] = OffsetAndMetadata(done + 1, "", -1)
                if offsets:
                    self.commit(offsets)
                return False
            if done is not None:
                offsets[tp] = OffsetAndMetadata(done + 1, "", -1)
        if offsets:
            self.commit(offsets)
        return True

    def run_once(self, timeout_ms: int = 1000) -> int:
        records = self.consumer.poll(timeout_ms=timeout_ms)
        if not records:
            return 0
        count = sum(len(m) for m in records.values())
        if not self.process(records):
            raise HandOffError("hand-off failed")
        return count

    def run(self) -> None:
        backoff = 0.0
        try:
            while not self._stop.is_set():
                try:
                    self.run_once()
                    backoff = 0.0
                except (HandOffError, KafkaError) as exc:
                    backoff = min(max(backoff * 2, 0.2), self.max_backoff)
                    logger.warning("event consumer backing off %.1fs: %r", backoff, exc)
                    self._stop.wait(backoff)
        finally:
            self.close()

    def close(self) -> None:
        try:
            self.consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS)
        finally:
            if self._dlq_producer is not None:
                self._dlq_producer.close(timeout=5)
                self._dlq_producer = None
