"""Stats aggregates in tests: deliver outbox events to the analytics handler, compare the
stored aggregates with a full recompute."""

import random
from typing import Any

from django.utils import timezone

from analytics import handlers, services
from analytics.models import ComplaintFact
from events.envelope import envelope_for
from events.models import OutboxEvent


class Deliverer:
    """Hands each outbox event to ``analytics.handlers.sync_complaint`` as the worker would,
    optionally shuffled and with redeliveries."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.delivered: set[int] = set()
        self.rng = rng

    def pending(self) -> list[dict[str, Any]]:
        events = OutboxEvent.objects.exclude(pk__in=self.delivered).order_by("pk")
        return [{"pk": e.pk, "envelope": envelope_for(e)} for e in events]

    def deliver(self, *, redeliver: bool = False) -> int:
        batch = self.pending()
        if self.rng is not None:
            self.rng.shuffle(batch)
        for item in batch:
            handlers.sync_complaint(item["envelope"])
            if redeliver:
                assert handlers.sync_complaint(item["envelope"]) is False
            self.delivered.add(item["pk"])
        return len(batch)


def aggregates() -> dict[str, dict[tuple, dict[str, int]]]:
    """Every aggregate row with a non-zero counter: {table: {key: {counter: n}}}."""
    result: dict[str, dict[tuple, dict[str, int]]] = {}
    for aggregate in services.AGGREGATES:
        rows: dict[tuple, dict[str, int]] = {}
        manager = aggregate.model._default_manager
        for row in manager.values(*aggregate.keys, *aggregate.counters):
            counters = {c: row[c] for c in aggregate.counters if row[c]}
            if counters:
                rows[tuple(row[k] for k in aggregate.keys)] = counters
        result[aggregate.table] = rows
    return result


def facts() -> dict[str, dict[str, Any]]:
    return {
        str(row.pop("complaint_id")): row
        for row in ComplaintFact.objects.values("complaint_id", *services.FACT_COLUMNS)
    }


def assert_stored_equal_recompute(now=None) -> dict[str, dict[tuple, dict[str, int]]]:
    """The stored aggregates (and facts) equal a rebuild from the complaints; returns them."""
    now = now or timezone.now()
    stored, stored_facts = aggregates(), facts()
    services.rebuild(now=now)
    assert facts() == stored_facts
    assert aggregates() == stored
    return stored
