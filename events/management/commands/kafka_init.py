from django.conf import settings
from django.core.management.base import BaseCommand

from events.kafka import ensure_topics


class Command(BaseCommand):
    help = "Create the events topic and its dead-letter topic (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--partitions", type=int, default=settings.EVENTS_TOPIC_PARTITIONS)
        parser.add_argument("--replication", type=int, default=settings.EVENTS_TOPIC_REPLICATION)

    def handle(self, *args, partitions, replication, **options):
        for topic, created in ensure_topics(partitions=partitions, replication=replication).items():
            self.stdout.write(f"{topic}: {'created' if created else 'exists'}")
