"""Business time: working hours on the wall clock of an IANA time zone, minus holidays.

Pure arithmetic, no database (``complaints.sla_policy`` builds a ``Calendar`` from the stored
``BusinessCalendar``). Instants are aware datetimes; working hours are local wall-clock
intervals per weekday, so 09:00-17:00 stays 09:00-17:00 across daylight-saving changes.

How the wall clock is read where it is not one-to-one (an instant is working time when the
*furthest the local clock has reached so far* lies in a working interval; that reading never
goes backwards, so intervals never overlap and every sum is exact):
- a local time skipped by a spring change (01:30 in Europe/London on the last Sunday of March)
  is reached at the change itself, so an interval starting or ending in the gap is shorter;
- during the hour repeated by an autumn change, the clock is read as it first passed: an
  interval ending inside the repeated hour ends at its first pass, one starting inside it
  starts at its first pass and runs on through the repeat.

``add(t, a)`` is the earliest instant by which ``a`` of business time has passed since ``t``;
``between(t, u)`` is the business time in ``[t, u)``. For a calendar that is always open they
are plain ``t + a`` and ``u - t``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MIDNIGHT = time(0)
ZERO = timedelta(0)
# A calendar without working time in this many days is refused (holidays could make one).
SEARCH_LIMIT_DAYS = 366 * 30


class CalendarError(ValueError):
    """The calendar's definition is unusable (overlapping hours, no working time, ...)."""


def _ends_after(start: time, end: time) -> bool:
    """``end`` is after ``start`` within a day; an end of 00:00 means midnight (24:00)."""
    return end == MIDNIGHT or end > start


class Calendar:
    """Working intervals per weekday (0 = Monday) in ``time_zone``; holidays are local dates.

    ``hours[weekday]`` is a sequence of ``(opens, closes)`` wall-clock times; ``closes`` 00:00
    means the end of the day. Intervals of a day must not overlap.
    """

    def __init__(
        self,
        *,
        time_zone: str,
        hours: Mapping[int, Sequence[tuple[time, time]]],
        holidays: Iterable[date] = (),
    ):
        try:
            self.zone = ZoneInfo(time_zone)
        except (ValueError, LookupError) as exc:  # ZoneInfoNotFoundError is a LookupError
            raise CalendarError(f"Unknown time zone {time_zone!r}.") from exc
        self.time_zone = time_zone
        self.hours: dict[int, tuple[tuple[time, time], ...]] = {}
        for weekday in range(7):
            intervals = tuple(sorted(hours.get(weekday, ())))
            for opens, closes in intervals:
                if not _ends_after(opens, closes):
                    raise CalendarError(f"Closing time {closes} is not after opening {opens}.")
            for (_, closes), (opens, _) in zip(intervals, intervals[1:], strict=False):
                if closes == MIDNIGHT or closes > opens:
                    raise CalendarError("Working hours of a day overlap.")
            self.hours[weekday] = intervals
        if not any(self.hours.values()):
            raise CalendarError("A calendar needs working hours on at least one day.")
        self.holidays = frozenset(holidays)
        # Open around the clock every day: real elapsed time, whatever the zone.
        self.always_open = not self.holidays and all(
            self.hours[d] == ((MIDNIGHT, MIDNIGHT),) for d in range(7)
        )
        self._intervals = lru_cache(maxsize=4096)(self._compute_intervals)

    # ------------------------------------------------------------------ wall clock -> instant

    def _instant(self, wall: datetime) -> datetime:
        """The first instant at which the local clock reads ``wall`` or later (UTC)."""
        first = wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
        if first.astimezone(self.zone).replace(tzinfo=None) == wall:
            return first
        # ``wall`` was skipped by a spring change: find the change itself. fold=1 reads the
        # wall time with the offset after the change, which lands before it.
        lo = int(wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC).timestamp())
        hi = int(first.timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self.zone).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return datetime.fromtimestamp(hi, UTC)

    def _compute_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if day in self.holidays:
            return ()
        result = []
        for opens, closes in self.hours[day.weekday()]:
            start = self._instant(datetime.combine(day, opens))
            end_day = day + timedelta(days=1) if closes == MIDNIGHT else day
            end = self._instant(datetime.combine(end_day, closes))
            if end > start:
                result.append((start, end))
        return tuple(result)

    def working_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of the local date ``day`` as ``[start, end)`` UTC instants."""
        return self._intervals(day)

    def _days_from(self, instant: datetime) -> Iterable[date]:
        # Start a day early: in an autumn change the previous local day can reach past midnight.
        day = instant.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(SEARCH_LIMIT_DAYS):
            yield day + timedelta(days=offset)
        raise CalendarError("The calendar has no working time left.")

    # ------------------------------------------------------------------ arithmetic

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant by which ``amount`` of business time has passed since ``start``."""
        if amount < ZERO:
            raise ValueError("Business time to add must not be negative.")
        if self.always_open or amount == ZERO:
            return start + amount
        remaining = amount
        for day in self._days_from(start):
            for opens, closes in self._intervals(day):
                if closes <= start:
                    continue
                opens = max(opens, start)
                if remaining <= closes - opens:
                    return (opens + remaining).astimezone(start.tzinfo)
                remaining -= closes - opens
        raise AssertionError("unreachable")  # _days_from raises first

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; zero when ``end`` is not after ``start``."""
        if end <= start:
            return ZERO
        if self.always_open:
            return end - start
        total = ZERO
        for day in self._days_from(start):
            intervals = self._intervals(day)
            for opens, closes in intervals:
                if opens >= end:
                    return total
                if closes > start:
                    total += min(closes, end) - max(opens, start)
            # A day's intervals all end before the next local day's first instant.
            if self._instant(datetime.combine(day + timedelta(days=1), MIDNIGHT)) >= end:
                return total
        raise AssertionError("unreachable")

    def is_working_time(self, instant: datetime) -> bool:
        """Whether the clock runs at ``instant`` (inside a ``[start, end)`` working interval)."""
        day = instant.astimezone(self.zone).date()
        return any(
            opens <= instant < closes
            for d in (day - timedelta(days=1), day)
            for opens, closes in self._intervals(d)
        )


ALWAYS_OPEN = Calendar(time_zone="UTC", hours={d: [(MIDNIGHT, MIDNIGHT)] for d in range(7)})
