"""Business calendars for the SLA clocks: reads and supervisor use cases.

A calendar is written whole: its working hours and holidays are replaced by each write, so a
client sends the week as it should be. Due times already stored keep their values; new clocks
(and clocks a re-route recomputes) use the calendar as it is then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet

from accounts.models import User
from complaints.business_time import Calendar, CalendarError
from complaints.errors import NotAllowed, NotFound
from complaints.models import BusinessCalendar, Holiday, WorkingHours, validate_time_zone
from complaints.policies import may_manage_calendars

SUPERVISOR_ONLY = "Only supervisors and admins can manage business calendars."
MAX_HOLIDAYS = 1000
DEFAULT_LOCK = "business-calendar-default"


class WorkingHoursIn(TypedDict):
    weekday: int
    opens_at: time
    closes_at: time


class HolidayIn(TypedDict):
    date: date
    name: str


def _ensure_manager(actor: User | None) -> None:
    if not may_manage_calendars(actor):
        raise NotAllowed(SUPERVISOR_ONLY)


# --------------------------------------------------------------------------- reads


def calendar_list() -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.prefetch_related(
        "working_hours", "holidays", "categories"
    ).order_by("name", "pk")


def calendar_get(*, calendar_id: int | str) -> BusinessCalendar:
    try:
        return calendar_list().get(pk=calendar_id)
    except (BusinessCalendar.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("No business calendar matches the given query.") from exc


# --------------------------------------------------------------------------- writes


def _clean_name(name: Any, *, calendar: BusinessCalendar | None) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationError({"name": ["This field may not be blank."]})
    if len(name) > 100:
        raise ValidationError({"name": ["Ensure this field has no more than 100 characters."]})
    taken = BusinessCalendar.objects.filter(name=name)
    if calendar is not None:
        taken = taken.exclude(pk=calendar.pk)
    if taken.exists():
        raise ValidationError({"name": ["A business calendar with this name already exists."]})
    return name


def _check_definition(
    *, time_zone: str, working_hours: Sequence[WorkingHoursIn], holidays: Sequence[HolidayIn]
) -> None:
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from exc
    hours: dict[int, list[tuple[time, time]]] = {}
    for interval in working_hours:
        if not 0 <= interval["weekday"] <= 6:
            raise ValidationError({"working_hours": ["Weekdays run from 0 (Monday) to 6."]})
        hours.setdefault(interval["weekday"], []).append(
            (interval["opens_at"], interval["closes_at"])
        )
    try:
        Calendar(time_zone=time_zone, hours=hours)
    except CalendarError as exc:
        raise ValidationError({"working_hours": [str(exc)]}) from exc
    dates = [holiday["date"] for holiday in holidays]
    if len(set(dates)) != len(dates):
        raise ValidationError({"holidays": ["Each date may appear once."]})
    if len(dates) > MAX_HOLIDAYS:
        raise ValidationError({"holidays": [f"At most {MAX_HOLIDAYS} holidays."]})


def _replace_days(
    calendar: BusinessCalendar,
    *,
    working_hours: Sequence[WorkingHoursIn] | None,
    holidays: Sequence[HolidayIn] | None,
) -> None:
    if working_hours is not None:
        calendar.working_hours.all().delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, **interval) for interval in working_hours
        )
    if holidays is not None:
        calendar.holidays.all().delete()
        Holiday.objects.bulk_create(
            Holiday(calendar=calendar, date=h["date"], name=(h.get("name") or "").strip())
            for h in holidays
        )


def _take_default(calendar: BusinessCalendar) -> None:
    """Make ``calendar`` the organisation's: the previous default stops being it.

    A transaction-scoped advisory lock serialises two supervisors doing this at once, so the
    second one's update sees (and unsets) the first one's new default.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [DEFAULT_LOCK])
    BusinessCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(
        is_default=False
    )


@transaction.atomic
def calendar_create(
    *,
    actor: User | None,
    name: str,
    time_zone: str,
    working_hours: Sequence[WorkingHoursIn],
    holidays: Sequence[HolidayIn] = (),
    is_default: bool = False,
) -> BusinessCalendar:
    """A new calendar; ``is_default`` makes it the organisation's (``actor`` None = system)."""
    _ensure_manager(actor)
    name = _clean_name(name, calendar=None)
    _check_definition(time_zone=time_zone, working_hours=working_hours, holidays=holidays)
    calendar = BusinessCalendar(name=name, time_zone=time_zone, is_default=False)
    calendar.save()
    if is_default:
        _take_default(calendar)
        calendar.is_default = True
        calendar.save(update_fields=["is_default"])
    _replace_days(calendar, working_hours=working_hours, holidays=holidays)
    return calendar


@transaction.atomic
def calendar_update(
    *,
    calendar: BusinessCalendar,
    actor: User | None,
    name: str | None = None,
    time_zone: str | None = None,
    working_hours: Sequence[WorkingHoursIn] | None = None,
    holidays: Sequence[HolidayIn] | None = None,
    is_default: bool | None = None,
) -> BusinessCalendar:
    """Change a calendar; a field left None is kept, lists given replace the stored ones."""
    _ensure_manager(actor)
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    if name is not None:
        calendar.name = _clean_name(name, calendar=calendar)
    if time_zone is not None:
        calendar.time_zone = time_zone
    _check_definition(
        time_zone=calendar.time_zone,
        working_hours=(
            working_hours
            if working_hours is not None
            else list(calendar.working_hours.values("weekday", "opens_at", "closes_at"))
        ),
        holidays=holidays or [],
    )
    if is_default and not calendar.is_default:
        _take_default(calendar)
    if is_default is not None:
        calendar.is_default = is_default
    calendar.save()
    _replace_days(calendar, working_hours=working_hours, holidays=holidays)
    return calendar


@transaction.atomic
def calendar_delete(*, calendar: BusinessCalendar, actor: User | None) -> None:
    """Delete a calendar; its categories fall back to the organisation's calendar."""
    _ensure_manager(actor)
    calendar.delete()
