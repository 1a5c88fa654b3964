"""Business-hours SLAs through the real services: due times, the pause while the complaint
awaits the customer, breaches detected in business time, and the 24x7 default."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from complaints import calendars, services
from complaints.models import Complaint, Priority
from complaints.policies import is_overdue, overdue_q
from complaints.sla import scan_breaches
from complaints.sla_policy import calendar_for
from complaints.workflow import Status
from tests.factories import CategoryFactory

LONDON = ZoneInfo("Europe/London")
NINE_TO_FIVE = [
    {"weekday": d, "opens_at": time(9), "closes_at": time(17)} for d in range(5)
]  # Monday to Friday


class Clock:
    """``timezone.now()`` as the test sets it (services read the time only through it)."""

    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args) -> datetime:
        self.now = datetime(*args, tzinfo=LONDON)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, datetime(2026, 6, 5, 16, tzinfo=LONDON))  # a Friday, 16:00


@pytest.fixture
def office(db):
    """The organisation's calendar: Monday-Friday 09:00-17:00 London, Monday 8 June off."""
    return calendars.calendar_create(
        actor=None,
        name="London office",
        time_zone="Europe/London",
        working_hours=NINE_TO_FIVE,
        holidays=[{"date": date(2026, 6, 8), "name": "Staff day"}],
        is_default=True,
    )


def file(customer, category, **kwargs) -> Complaint:
    return services.complaint_create(
        customer=customer, category=category, title="Late parcel", description="Where?", **kwargs
    )


def hours_category(ack: int = 2, resolve: int = 16):
    return CategoryFactory(acknowledge_within_hours=ack, resolve_within_hours=resolve)


def test_without_a_calendar_the_clocks_run_around_the_clock(customer, clock):
    category = hours_category()
    complaint = file(customer, category)
    assert complaint.ack_due_at == clock.now + timedelta(hours=2)
    assert complaint.resolve_due_at == clock.now + timedelta(hours=16)


def test_due_times_are_counted_in_the_default_calendars_business_hours(customer, clock, office):
    complaint = file(customer, hours_category())
    # Friday 16-17 is one hour; Monday is a holiday; Tuesday 09:00 + the other hour.
    assert complaint.ack_due_at == datetime(2026, 6, 9, 10, tzinfo=LONDON)
    # 16 h: Friday 1 h, Tuesday 8 h, Wednesday 7 h.
    assert complaint.resolve_due_at == datetime(2026, 6, 10, 16, tzinfo=LONDON)


def test_priority_scales_business_hours(customer, clock, office):
    complaint = file(customer, hours_category(ack=4), priority=Priority.URGENT)
    assert complaint.ack_due_at == datetime(2026, 6, 5, 17, tzinfo=LONDON)


def test_a_categorys_calendar_overrides_the_organisations(customer, clock, office):
    weekend_desk = calendars.calendar_create(
        actor=None,
        name="Weekend desk",
        time_zone="America/New_York",
        working_hours=[{"weekday": 5, "opens_at": time(10), "closes_at": time(12)}],
    )
    category = hours_category(ack=1)
    services.category_update(category=category, actor=None, business_calendar=weekend_desk)
    complaint = file(customer, category)
    assert complaint.ack_due_at == datetime(2026, 6, 6, 11, tzinfo=ZoneInfo("America/New_York"))


def test_deleting_a_categorys_calendar_falls_back_to_the_default(customer, clock, office):
    own = calendars.calendar_create(
        actor=None, name="Own", time_zone="UTC", working_hours=NINE_TO_FIVE
    )
    category = hours_category()
    services.category_update(category=category, actor=None, business_calendar=own)
    calendars.calendar_delete(calendar=own, actor=None)
    category.refresh_from_db()
    assert category.business_calendar_id is None
    assert calendar_for(category).time_zone == "Europe/London"


def _in_progress(customer, category) -> Complaint:
    complaint = file(customer, category)
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        complaint = services.complaint_transition(complaint=complaint, actor=None, to_status=status)
    return complaint


def test_awaiting_the_customer_pauses_the_resolve_clock_until_they_reply(customer, clock, office):
    complaint = _in_progress(customer, hours_category())
    due = complaint.resolve_due_at  # Wednesday 16:00
    clock.set(2026, 6, 9, 11)  # Tuesday 11:00
    complaint = services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.AWAITING_CUSTOMER
    )
    assert complaint.sla_paused_at == clock.now
    clock.set(2026, 6, 11, 10, 30)  # Thursday 10:30: the customer answers
    services.comment_create(complaint=complaint, author=customer, body="Here it is.")
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.sla_paused_at is None
    # Tuesday 11-17 (6 h) + Wednesday (8 h) + Thursday 9-10:30 (1.5 h) of business time.
    assert complaint.sla_paused == timedelta(hours=15, minutes=30)
    assert complaint.resolve_due_at == calendar_for(complaint.category).add(
        due, timedelta(hours=15, minutes=30)
    )
    assert complaint.resolve_due_at == datetime(2026, 6, 12, 15, 30, tzinfo=LONDON)


def test_a_paused_complaint_is_neither_overdue_nor_breached(customer, clock, office):
    complaint = _in_progress(customer, hours_category())
    services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.AWAITING_CUSTOMER
    )
    clock.set(2026, 6, 30, 12)  # weeks past the due time
    assert scan_breaches() == {"acknowledge": 0, "resolve": 0}
    assert not Complaint.objects.filter(overdue_q(clock.now), pk=complaint.pk).exists()
    complaint.refresh_from_db()
    assert not is_overdue(complaint, now=clock.now)


def test_breaches_are_detected_in_business_time(customer, clock, office):
    complaint = file(customer, hours_category())  # acknowledge due Tuesday 10:00
    clock.set(2026, 6, 8, 23)  # Monday night: a holiday, 31 h of real time later
    assert scan_breaches()["acknowledge"] == 0
    clock.set(2026, 6, 9, 10, 1)
    assert scan_breaches()["acknowledge"] == 1
    complaint.refresh_from_db()
    assert complaint.ack_breached_at == clock.now


def test_reopening_restarts_the_clock_without_old_pauses(customer, clock, office):
    complaint = _in_progress(customer, hours_category())
    services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.AWAITING_CUSTOMER
    )
    clock.set(2026, 6, 9, 12)
    complaint = services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.RESOLVED, reason="Refunded."
    )
    assert complaint.sla_paused == timedelta(hours=4)  # Friday 16-17, Tuesday 9-12
    clock.set(2026, 6, 10, 9)
    complaint = services.complaint_transition(
        complaint=complaint, actor=customer, to_status=Status.REOPENED
    )
    assert complaint.sla_paused == timedelta(0)
    assert complaint.resolve_due_at == datetime(2026, 6, 11, 17, tzinfo=LONDON)


def test_a_reroute_keeps_the_time_already_paused(customer, clock, office, supervisor):
    complaint = _in_progress(customer, hours_category())
    clock.set(2026, 6, 9, 9)
    complaint = services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.AWAITING_CUSTOMER
    )
    clock.set(2026, 6, 10, 9)
    complaint = services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.IN_PROGRESS
    )
    assert complaint.sla_paused == timedelta(hours=8)
    complaint = services.complaint_reroute(
        complaint=complaint, actor=supervisor, category=hours_category(resolve=8)
    )
    # Friday 16-17 (1 h) + 8 h paused on Tuesday + 7 h on Wednesday.
    assert complaint.resolve_due_at == datetime(2026, 6, 10, 16, tzinfo=LONDON)


def test_only_one_calendar_is_the_organisations(office):
    second = calendars.calendar_create(
        actor=None, name="New office", time_zone="UTC", working_hours=NINE_TO_FIVE, is_default=True
    )
    office.refresh_from_db()
    assert (office.is_default, second.is_default) == (False, True)


def test_stored_due_times_are_aware_utc_instants(customer, clock, office):
    complaint = file(customer, hours_category())
    complaint.refresh_from_db()
    assert complaint.ack_due_at == datetime(2026, 6, 9, 9, tzinfo=UTC)


def test_a_calendar_without_enough_working_time_counts_real_time(customer, clock):
    calendars.calendar_create(
        actor=None,
        name="Sunday half hour",
        time_zone="UTC",
        working_hours=[{"weekday": 6, "opens_at": time(9), "closes_at": time(9, 30)}],
        is_default=True,
    )
    complaint = file(customer, hours_category(resolve=24 * 365))
    assert complaint.resolve_due_at == clock.now + timedelta(hours=24 * 365)


def test_the_api_shows_since_when_the_clock_is_paused(customer, customer_client, clock, office):
    complaint = _in_progress(customer, hours_category())
    services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.AWAITING_CUSTOMER
    )
    body = customer_client.get(f"/api/complaints/{complaint.pk}/").json()
    assert body["sla_paused_at"] == "2026-06-05T15:00:00Z"
    listed = customer_client.get("/api/complaints/").json()["results"][0]
    assert listed["sla_paused_at"] == body["sla_paused_at"]
