import pytest

from events.models import OutboxEvent


class EventLog:
    """The outbox rows written since the fixture started (or since ``clear()``)."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first()
        self._after = last or 0

    def types(self) -> list[str]:
        return [event.type for event in self._events()]

    def named(self, name: str) -> list[dict]:
        """Payloads of the ``complaint.<name>`` events, oldest first."""
        return [e.payload for e in self._events() if e.type == f"complaint.{name}"]

    def _events(self) -> list[OutboxEvent]:
        return list(OutboxEvent.objects.filter(id__gt=self._after).order_by("id"))


@pytest.fixture
def event_log(db):
    """Every event the services emitted during the test."""
    return EventLog()
