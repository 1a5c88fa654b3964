import logging
import signal
from typing import ClassVar

from django.core.management.base import BaseCommand

from events.relay import OutboxRelay

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Publish pending outbox events to Kafka (wakes on NOTIFY outbox, polls as fallback)."
    # No system checks: they load the URLconf, hence every view and the domain behind it,
    # which this process never uses (the web process and ``check --deploy`` run them).
    requires_system_checks: ClassVar[list[str]] = []

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--poll-seconds", type=float, default=None)

    def handle(self, *args, batch_size=None, poll_seconds=None, **options):
        relay = OutboxRelay(batch_size=batch_size, poll_seconds=poll_seconds)
        signal.signal(signal.SIGTERM, relay.stop)
        signal.signal(signal.SIGINT, relay.stop)
        logger.info("outbox relay started")
        relay.run()
        logger.info("outbox relay stopped after publishing %s event(s)", relay.published_total)
