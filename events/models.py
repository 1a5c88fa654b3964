import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEvent(models.Model):
    """A domain event written in the transaction of the change; the relay publishes it to Kafka.

    ``published_at`` is NULL while the event waits for the relay. ``type`` is the emitting
    app's name for the event (``complaint.created``); payloads carry ids and codes only,
    never personal data or free text.
    """

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40)
    aggregate_id = models.UUIDField()
    payload = models.JSONField(default=dict)
    schema_version = models.PositiveSmallIntegerField(default=1)
    occurred_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], name="outbox_pending", condition=Q(published_at__isnull=True)
            ),
            models.Index(
                fields=["aggregate_id", "id"],
                name="outbox_pending_aggregate",
                condition=Q(published_at__isnull=True),
            ),
            # Retention deletes published rows oldest first (events/retention.py).
            models.Index(
                fields=["published_at"],
                name="outbox_published",
                condition=Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class ProcessedEvent(models.Model):
    """One row per (event, handler) whose effect has been committed: redelivery is a no-op."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=100)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="processed_event_once")
        ]
        # Retention deletes the oldest rows first (events/retention.py).
        indexes = [models.Index(fields=["processed_at"], name="processed_event_at")]

    def __str__(self) -> str:
        return f"{self.handler} {self.event_id}"
