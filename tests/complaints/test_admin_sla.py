"""The admin's SLA calendars: supervisors write a week and holidays; the arithmetic checks it."""

from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import BusinessCalendar

pytestmark = pytest.mark.django_db
ADD = reverse("admin:complaints_businesscalendar_add")
CHANGELIST = reverse("admin:complaints_businesscalendar_changelist")


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def calendar_form(hours: list[dict], holidays: list[dict] = ()) -> dict:
    return {
        "name": "London office",
        "time_zone": "Europe/London",
        "is_default": "on",
        **inline("working_hours", hours),
        **inline("holidays", list(holidays)),
    }


MONDAY = {"weekday": "0", "opens_at": "09:00", "closes_at": "17:00"}


def test_supervisor_adds_a_calendar_with_hours_and_holidays(supervisor):
    response = web_client(supervisor).post(
        ADD,
        calendar_form(
            [MONDAY, {"weekday": "5", "opens_at": "10:00", "closes_at": "00:00"}],
            [{"date": "2026-12-25", "name": "Christmas Day"}],
        ),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    calendar = BusinessCalendar.objects.get()
    assert calendar.is_default
    assert list(calendar.working_hours.values_list("weekday", "opens_at", "closes_at")) == [
        (0, time(9), time(17)),
        (5, time(10), time(0)),
    ]
    assert list(calendar.holidays.values_list("date", flat=True)) == [date(2026, 12, 25)]
    page = web_client(supervisor).get(CHANGELIST)
    assert "Monday 09:00-17:00" in page.content.decode()


def test_overlapping_hours_are_an_error_on_the_form(supervisor):
    response = web_client(supervisor).post(
        ADD, calendar_form([MONDAY, {"weekday": "0", "opens_at": "12:00", "closes_at": "18:00"}])
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_an_unknown_time_zone_is_an_error_on_the_form(supervisor):
    response = web_client(supervisor).post(ADD, {**calendar_form([MONDAY]), "time_zone": "Mars"})
    assert response.status_code == 200
    assert "not an IANA time zone" in response.content.decode()


def test_supervisor_edits_the_week(supervisor):
    client = web_client(supervisor)
    client.post(ADD, calendar_form([MONDAY]))
    calendar = BusinessCalendar.objects.get()
    interval = calendar.working_hours.get()
    form = calendar_form([])
    form.update(
        inline(
            "working_hours",
            [{**MONDAY, "id": str(interval.pk), "calendar": str(calendar.pk), "DELETE": "on"}]
            + [{"weekday": "1", "opens_at": "08:00", "closes_at": "12:00"}],
            initial=1,
        )
    )
    url = reverse("admin:complaints_businesscalendar_change", args=[calendar.pk])
    response = client.post(url, form)
    assert response.status_code == 302
    assert list(calendar.working_hours.values_list("weekday", "opens_at")) == [(1, time(8))]


def test_agents_see_calendars_but_cannot_change_them(agent, supervisor):
    web_client(supervisor).post(ADD, calendar_form([MONDAY]))
    agent_web = web_client(agent)
    assert agent_web.get(CHANGELIST).status_code == 200
    assert agent_web.post(ADD, {**calendar_form([MONDAY]), "name": "Mine"}).status_code == 403
    assert BusinessCalendar.objects.count() == 1
