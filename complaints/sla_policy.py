"""SLA due times: category hours scaled by the priority factor, counted in business time.

The hours run on the category's business calendar, else the organisation's default calendar,
else around the clock (``business_time.ALWAYS_OPEN``, the behaviour before calendars existed).
The resolve clock's pauses (while the complaint awaits the customer) add their business time.
"""

import logging
from datetime import datetime, timedelta

from complaints.business_time import ALWAYS_OPEN, Calendar, CalendarError
from complaints.models import PRIORITY_SLA_FACTOR, BusinessCalendar, Category, Priority

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


def calendar_from(stored: BusinessCalendar) -> Calendar:
    """The arithmetic of a stored calendar (its working hours and holidays are read here)."""
    hours: dict[int, list] = {}
    for interval in stored.working_hours.all():
        hours.setdefault(interval.weekday, []).append((interval.opens_at, interval.closes_at))
    return Calendar(
        time_zone=stored.time_zone,
        hours=hours,
        holidays=[holiday.date for holiday in stored.holidays.all()],
    )


def shift_due(calendar: Calendar, due: datetime, by: timedelta) -> datetime:
    """A due time moved on by ``by`` of business time (a pause's)."""
    return _add(calendar, due, by)


def calendar_for(category: Category) -> Calendar:
    """The calendar a category's SLA clocks run on."""
    stored = (
        BusinessCalendar.objects.filter(pk=category.business_calendar_id)
        if category.business_calendar_id is not None
        else BusinessCalendar.objects.filter(is_default=True)
    )
    found = stored.prefetch_related("working_hours", "holidays").first()
    return ALWAYS_OPEN if found is None else calendar_from(found)


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
