import logging
import signal
from typing import ClassVar

from django.core.management.base import BaseCommand

from events.consumer import EventConsumer

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Consume events from Kafka and hand them to Celery (manual offset commits)."
    # No system checks: they load the URLconf, hence every view and the domain behind it,
    # which this process never uses (the web process and ``check --deploy`` run them).
    requires_system_checks: ClassVar[list[str]] = []

    def add_arguments(self, parser):
        parser.add_argument("--max-poll-interval-ms", type=int, default=None)

    def handle(self, *args, max_poll_interval_ms=None, **options):
        overrides = {}
        if max_poll_interval_ms:
            overrides["max_poll_interval_ms"] = max_poll_interval_ms
        consumer = EventConsumer(consumer_overrides=overrides)
        signal.signal(signal.SIGTERM, consumer.stop)
        signal.signal(signal.SIGINT, consumer.stop)
        logger.info("event consumer started")
        consumer.run()
        logger.info(
            "event consumer stopped: %s handed off, %s dead-lettered",
            consumer.handled,
            consumer.dead_lettered,
        )
