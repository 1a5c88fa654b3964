"""SLA due times: category hours scaled by the priority factor, counted from a start time."""

from datetime import datetime, timedelta

from complaints.models import PRIORITY_SLA_FACTOR, Category, Priority


def _scaled(hours: int, priority: int) -> timedelta:
    return timedelta(hours=hours * PRIORITY_SLA_FACTOR[Priority(priority)])


def acknowledge_due_at(*, category: Category, priority: int, start: datetime) -> datetime:
    return start + _scaled(category.acknowledge_within_hours, priority)


def resolve_due_at(*, category: Category, priority: int, start: datetime) -> datetime:
    return start + _scaled(category.resolve_within_hours, priority)
