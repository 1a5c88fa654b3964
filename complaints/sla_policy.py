"""SLA due times: category hours scaled by the priority factor, counted in business time.

The hours run on the category's business calendar, else the organisation's default calendar,
else around the clock (``business_time.ALWAYS_OPEN``, the behaviour before calendars existed).
The resolve clock's pauses (while the complaint awaits the customer) add their business time.
"""

import logging
from datetime import datetime, timedelta
from functools import lru_cache

from complaints.business_time import ALWAYS_OPEN, Calendar, CalendarError
from complaints.models import (
    PRIORITY_SLA_FACTOR,
    BusinessCalendar,
    Category,
    Holiday,
    Priority,
    WorkingHours,
)

logger = logging.getLogger(__name__)


def _add(calendar: Calendar, start: datetime, amount: timedelta) -> datetime:
    """``calendar.add``; a calendar whose working time runs out (decades of holidays, a few
    minutes a week against a year of SLA) counts real time rather than refuse the complaint."""
    try:
        return calendar.add(start, amount)
    except CalendarError:
        logger.warning("business calendar %s has no working time left", calendar.time_zone)
        return ALWAYS_OPEN.add(start, amount)


def _scaled(hours: int, priority: int) -> timedelta:
    return timedelta(hours=hours * PRIORITY_SLA_FACTOR[Priority(priority)])


def shift_due(calendar: Calendar, due: datetime, by: timedelta) -> datetime:
    """A due time moved on by ``by`` of business time (a pause's)."""
    return _add(calendar, due, by)


@lru_cache(maxsize=64)
def _calendar_version(calendar_id: int, updated_at: datetime, time_zone: str) -> Calendar:
    """The arithmetic of one version of a stored calendar, kept per process.

    Every write of a calendar (``complaints.calendars``, also behind the admin) saves its row,
    so ``updated_at`` names the version; the ``Calendar`` keeps the days it has computed.
    """
    hours: dict[int, list] = {}
    for weekday, opens_at, closes_at in WorkingHours.objects.filter(
        calendar_id=calendar_id
    ).values_list("weekday", "opens_at", "closes_at"):
        hours.setdefault(weekday, []).append((opens_at, closes_at))
    holidays = Holiday.objects.filter(calendar_id=calendar_id).values_list("date", flat=True)
    return Calendar(time_zone=time_zone, hours=hours, holidays=list(holidays))


def calendar_for(category: Category) -> Calendar:
    """The calendar a category's SLA clocks run on (one query when its version is cached)."""
    stored = (
        BusinessCalendar.objects.filter(pk=category.business_calendar_id)
        if category.business_calendar_id is not None
        else BusinessCalendar.objects.filter(is_default=True)
    )
    version = stored.values_list("pk", "updated_at", "time_zone").first()
    return ALWAYS_OPEN if version is None else _calendar_version(*version)


def acknowledge_due_at(
    *, category: Category, priority: int, start: datetime, calendar: Calendar | None = None
) -> datetime:
    calendar = calendar or calendar_for(category)
    return _add(calendar, start, _scaled(category.acknowledge_within_hours, priority))


def resolve_due_at(
    *,
    category: Category,
    priority: int,
    start: datetime,
    paused: timedelta = timedelta(0),
    calendar: Calendar | None = None,
) -> datetime:
    """Due ``resolve_within_hours`` (scaled) of business time after ``start``, plus ``paused``."""
    calendar = calendar or calendar_for(category)
    return _add(calendar, start, _scaled(category.resolve_within_hours, priority) + paused)
