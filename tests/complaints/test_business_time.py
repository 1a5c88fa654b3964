"""complaints.business_time: due-time arithmetic across weekends, holidays, DST and pauses.

Property-based (hypothesis): random calendars in zones with daylight-saving changes, start
times drawn mostly around those changes, and amounts up to weeks of business time.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from complaints.business_time import ALWAYS_OPEN, MIDNIGHT, Calendar, CalendarError

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
ZONES = [LONDON, NEW_YORK, "UTC", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"]
# Daylight-saving changes of 2026 (local dates) in the zones above.
CHANGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # London spring
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # London autumn
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York spring
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York autumn
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe (30 minutes)
    datetime(2026, 4, 5, 3, tzinfo=UTC),  # Santiago (at midnight)
    datetime(2026, 9, 6, 4, tzinfo=UTC),  # Santiago
]
NINE_TO_FIVE = {d: [(time(9), time(17))] for d in range(5)}


@st.composite
def day_hours(draw) -> list[tuple[time, time]]:
    """0-2 non-overlapping intervals on a 30-minute grid; 24:00 is written 00:00."""
    marks = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
    if len(marks) % 2:
        marks = marks[:-1]
    as_time = [MIDNIGHT if m == 48 else time(m // 2, 30 * (m % 2)) for m in marks]
    return [(as_time[i], as_time[i + 1]) for i in range(0, len(as_time), 2)]


@st.composite
def calendars(draw) -> Calendar:
    hours = {d: draw(day_hours()) for d in range(7)}
    assume(any(hours.values()))
    holidays = draw(
        st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), max_size=40)
    )
    return Calendar(time_zone=draw(st.sampled_from(ZONES)), hours=hours, holidays=holidays)


near_changes = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(CHANGES),
    st.integers(-4 * 24 * 60, 4 * 24 * 60),
)
# hypothesis wants naive bounds and attaches the zone itself.
anywhere = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
instants = st.one_of(near_changes, anywhere)
amounts = st.builds(
    lambda minutes, micros: timedelta(minutes=minutes, microseconds=micros),
    st.integers(0, 300 * 60),
    st.integers(0, 999_999),
)

PROPERTY = settings(max_examples=150, deadline=None)


def inside_working_hours(calendar: Calendar, instant: datetime) -> bool:
    """``instant`` is in some working interval ``(start, end]`` (a due time may be its end)."""
    day = instant.astimezone(calendar.zone).date()
    return any(
        start < instant <= end
        for d in (day - timedelta(days=1), day)
        for start, end in calendar.working_intervals(d)
    )


@PROPERTY
@given(calendars(), instants, amounts)
def test_a_due_time_is_inside_working_hours(calendar, start, amount):
    assume(amount > timedelta(0))
    assert inside_working_hours(calendar, calendar.add(start, amount))


@PROPERTY
@given(calendars(), instants, amounts)
def test_business_time_from_start_to_due_is_the_amount(calendar, start, amount):
    assert calendar.between(start, calendar.add(start, amount)) == amount


@PROPERTY
@given(calendars(), instants, amounts, amounts)
def test_adding_is_additive(calendar, start, first, second):
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@PROPERTY
@given(calendars(), instants, amounts, amounts)
def test_adding_is_monotone_in_the_amount(calendar, start, a, b):
    small, large = sorted([a, b])
    assert calendar.add(start, small) <= calendar.add(start, large)


@PROPERTY
@given(calendars(), instants, st.integers(0, 10 * 24 * 60), amounts)
def test_adding_is_monotone_in_the_start(calendar, start, later_by_minutes, amount):
    later = start + timedelta(minutes=later_by_minutes)
    assert calendar.add(start, amount) <= calendar.add(later, amount)


@PROPERTY
@given(calendars(), instants, st.integers(0, 10 * 24 * 60), st.integers(0, 10 * 24 * 60))
def test_between_is_additive_over_adjacent_ranges(calendar, start, m1, m2):
    middle = start + timedelta(minutes=m1)
    end = middle + timedelta(minutes=m2)
    assert calendar.between(start, end) == (
        calendar.between(start, middle) + calendar.between(middle, end)
    )
    assert calendar.between(start, end) <= end - start


@PROPERTY
@given(
    calendars(),
    instants,
    amounts,
    st.integers(0, 20 * 24 * 60),
    st.integers(0, 20 * 24 * 60),
)
def test_a_pause_shifts_the_due_time_by_the_business_time_paused(
    calendar, start, sla, pause_after_minutes, pause_minutes
):
    """The resolve clock's pause: due' = add(due, between(paused, resumed))."""
    due = calendar.add(start, sla)
    paused_at = start + timedelta(minutes=pause_after_minutes)
    assume(paused_at < due)
    resumed_at = paused_at + timedelta(minutes=pause_minutes)
    paused = calendar.between(paused_at, resumed_at)
    shifted = calendar.add(due, paused)
    assert calendar.between(start, shifted) == sla + paused
    if resumed_at <= shifted:
        # Outside the pause the clock ran exactly the SLA.
        running = calendar.between(start, paused_at) + calendar.between(resumed_at, shifted)
        assert running == sla


@PROPERTY
@given(instants, amounts, st.sampled_from(ZONES))
def test_a_calendar_open_around_the_clock_counts_real_time(start, amount, zone):
    always = Calendar(time_zone=zone, hours={d: [(MIDNIGHT, MIDNIGHT)] for d in range(7)})
    assert always.add(start, amount) == start + amount
    assert ALWAYS_OPEN.between(start, start + amount) == amount


@PROPERTY
@given(instants, amounts, st.sampled_from(ZONES))
def test_full_days_split_in_two_intervals_count_real_time(start, amount, zone):
    """The slow path agrees with the fast path: 00:00-12:00 + 12:00-24:00 every day."""
    halves = Calendar(
        time_zone=zone, hours={d: [(MIDNIGHT, time(12)), (time(12), MIDNIGHT)] for d in range(7)}
    )
    assert halves.add(start, amount) == start + amount


# ---------------------------------------------------------------------- worked examples


def at(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def test_a_friday_afternoon_complaint_is_due_on_monday():
    london = Calendar(time_zone=LONDON, hours=NINE_TO_FIVE)
    friday_4pm = at(LONDON, 2026, 6, 5, 16)
    assert london.add(friday_4pm, timedelta(hours=2)) == at(LONDON, 2026, 6, 8, 10)


def test_a_holiday_moves_the_due_time_a_day_on():
    london = Calendar(time_zone=LONDON, hours=NINE_TO_FIVE, holidays=[date(2026, 6, 8)])
    assert london.add(at(LONDON, 2026, 6, 5, 16), timedelta(hours=2)) == at(LONDON, 2026, 6, 9, 10)


def test_working_hours_follow_the_wall_clock_across_the_spring_change():
    """The weekend of 28-29 March 2026 loses an hour in London: still 10:00 on Monday."""
    london = Calendar(time_zone=LONDON, hours=NINE_TO_FIVE)
    due = london.add(at(LONDON, 2026, 3, 27, 16), timedelta(hours=2))
    assert due == at(LONDON, 2026, 3, 30, 10)
    assert due.astimezone(UTC).hour == 9  # BST


def test_new_york_autumn_change_keeps_nine_to_five():
    new_york = Calendar(time_zone=NEW_YORK, hours=NINE_TO_FIVE)
    due = new_york.add(at(NEW_YORK, 2026, 10, 30, 16), timedelta(hours=10))
    assert due == at(NEW_YORK, 2026, 11, 3, 10)
    assert due.astimezone(UTC).hour == 15  # EST


def test_a_night_shift_on_the_short_night_is_an_hour_shorter():
    london = Calendar(time_zone=LONDON, hours={d: [(MIDNIGHT, time(6))] for d in range(7)})
    day = date(2026, 3, 29)
    ((start, end),) = london.working_intervals(day)
    assert end - start == timedelta(hours=5)


def test_a_night_shift_on_the_long_night_is_an_hour_longer():
    london = Calendar(time_zone=LONDON, hours={d: [(MIDNIGHT, time(6))] for d in range(7)})
    ((start, end),) = london.working_intervals(date(2026, 10, 25))
    assert end - start == timedelta(hours=7)


def test_start_outside_hours_counts_from_the_next_opening():
    london = Calendar(time_zone=LONDON, hours=NINE_TO_FIVE)
    saturday = at(LONDON, 2026, 6, 6, 12)
    assert london.between(saturday, at(LONDON, 2026, 6, 8, 9, 30)) == timedelta(minutes=30)
    assert london.add(saturday, timedelta(0)) == saturday


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({}, "at least one day"),
        ({0: [(time(17), time(9))]}, "not after"),
        ({0: [(time(9), time(13)), (time(12), time(17))]}, "overlap"),
        ({0: [(time(9), MIDNIGHT), (time(10), time(11))]}, "overlap"),
    ],
)
def test_unusable_hours_are_refused(hours, message):
    with pytest.raises(CalendarError, match=message):
        Calendar(time_zone=LONDON, hours=hours)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(CalendarError, match="time zone"):
        Calendar(time_zone="Mars/Olympus_Mons", hours=NINE_TO_FIVE)


def test_a_calendar_whose_only_days_are_holidays_runs_out():
    one_day = Calendar(time_zone="UTC", hours={0: [(time(9), time(10))]})
    mondays = {date(2026, 1, 5) + timedelta(weeks=w) for w in range(366 * 30 // 7 + 2)}
    no_time = Calendar(time_zone="UTC", hours=one_day.hours, holidays=mondays)
    with pytest.raises(CalendarError, match="no working time"):
        no_time.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))


def minute_by_minute(calendar: Calendar, start: datetime, minutes: int) -> timedelta:
    """Independent oracle: walk the wall clock minute by minute (reading its furthest point)."""
    furthest = None
    working = 0
    for step in range(-24 * 60, minutes):
        wall = (start + timedelta(minutes=step)).astimezone(calendar.zone).replace(tzinfo=None)
        furthest = wall if furthest is None else max(furthest, wall)
        if step < 0 or furthest.date() in calendar.holidays:
            continue
        clock = furthest.time()
        working += any(
            opens <= clock and (closes == MIDNIGHT or clock < closes)
            for opens, closes in calendar.hours[furthest.weekday()]
        )
    return timedelta(minutes=working)


@settings(max_examples=40, deadline=None)
@given(calendars(), near_changes, st.integers(0, 3 * 24 * 60))
def test_between_agrees_with_a_minute_by_minute_walk(calendar, start, minutes):
    start = start.replace(second=0, microsecond=0)
    assert calendar.between(start, start + timedelta(minutes=minutes)) == minute_by_minute(
        calendar, start, minutes
    )
