"""AppTest: supervisors manage canned responses and SLA calendars; other roles get no pages."""

from __future__ import annotations

import datetime as dt

import pytest

from complaints import calendars
from complaints import canned_responses as canned
from complaints.calendars import WorkingHoursIn
from complaints.models import BusinessCalendar, CannedResponse
from tests.helpers.frontend import assert_ok, goto, log_in, texts

pytestmark = pytest.mark.django_db(transaction=True)

CANNED_PAGE = "app_pages/canned_responses.py"
CALENDAR_PAGE = "app_pages/sla_calendars.py"
NINE_TO_FIVE = [
    WorkingHoursIn(weekday=day, opens_at=dt.time(9), closes_at=dt.time(17)) for day in range(5)
]


def test_supervisor_adds_edits_and_deletes_a_canned_response(new_app, categories, supervisor):
    at = log_in(new_app(), supervisor.email)
    goto(at, CANNED_PAGE)
    assert "{customer_first_name}" in texts(at)  # the placeholder help, read from the API
    assert "No canned responses yet." in texts(at)

    version = at.session_state["canned_new_version"]
    at.text_input(key=f"canned_new_{version}_title").input("Apology")
    at.text_area(key=f"canned_new_{version}_body").input("Dear {customer_first_name},")
    at.selectbox(key=f"canned_new_{version}_category").select(categories[0].id)
    at.button(key="canned_new_submit").click().run()
    assert_ok(at)
    created = CannedResponse.objects.get()
    assert (created.title, created.body, created.category) == (
        "Apology",
        "Dear {customer_first_name},",
        categories[0],
    )
    assert "Canned response added." in texts(at)
    assert at.text_input(key=f"canned_new_{version + 1}_title").value == ""

    at.text_input(key=f"canned_{created.pk}_title").input("Sorry")
    at.selectbox(key=f"canned_{created.pk}_category").select_index(0)  # all categories
    at.checkbox(key=f"canned_{created.pk}_active").uncheck()
    at.button(key=f"canned_{created.pk}_save").click().run()
    assert_ok(at)
    created.refresh_from_db()
    assert (created.title, created.category, created.is_active) == ("Sorry", None, False)
    assert "Sorry (all categories) - not offered" in [e.label for e in at.expander]

    at.button(key=f"canned_delete_{created.pk}").click().run()
    assert_ok(at)
    assert not CannedResponse.objects.exists()
    assert "Canned response deleted." in texts(at)


def test_an_unknown_placeholder_is_explained_beside_the_form(new_app, supervisor):
    reply = canned.canned_response_create(actor=None, title="Hello", body="Hello")
    at = log_in(new_app(), supervisor.email)
    goto(at, CANNED_PAGE)
    at.text_area(key=f"canned_{reply.pk}_body").input("Hi {first_name}")
    at.button(key=f"canned_{reply.pk}_save").click().run()
    assert_ok(at)
    assert any("Unknown placeholder {first_name}" in e.value for e in at.error), texts(at)
    reply.refresh_from_db()
    assert reply.body == "Hello"


def test_supervisor_adds_edits_and_deletes_a_calendar(new_app, categories, supervisor):
    at = log_in(new_app(), supervisor.email)
    goto(at, CALENDAR_PAGE)
    version = at.session_state["calendar_new_version"]
    key = f"calendar_new_{version}"
    at.text_input(key=f"{key}_name").input("London office")
    at.selectbox(key=f"{key}_zone").select("Europe/London")
    at.checkbox(key=f"{key}_default").check()
    for day in ("monday", "tuesday"):
        at.text_input(key=f"{key}_hours_{day}").input("09:00-12:00, 13:00-17:00")
    at.text_area(key=f"{key}_holidays").input("2026-12-25 Christmas Day\n2026-12-26")
    at.button(key="calendar_new_submit").click().run()
    assert_ok(at)
    created = BusinessCalendar.objects.get()
    assert (created.name, created.time_zone, created.is_default) == (
        "London office",
        "Europe/London",
        True,
    )
    assert created.working_hours.count() == 4
    assert sorted(created.holidays.values_list("date", "name")) == [
        (dt.date(2026, 12, 25), "Christmas Day"),
        (dt.date(2026, 12, 26), ""),
    ]

    categories[1].business_calendar = created
    categories[1].save(update_fields=["business_calendar"])
    goto(at, CALENDAR_PAGE)
    assert "Used by: Delivery." in texts(at)
    edit = f"calendar_{created.pk}"
    assert at.text_input(key=f"{edit}_hours_monday").value == "09:00-12:00, 13:00-17:00"
    at.text_input(key=f"{edit}_hours_tuesday").input("")
    at.text_input(key=f"{edit}_hours_friday").input("10:00-14:00")
    at.text_area(key=f"{edit}_holidays").input("")
    at.button(key=f"{edit}_save").click().run()
    assert_ok(at)
    assert sorted(created.working_hours.values_list("weekday", "opens_at")) == [
        (0, dt.time(9)),
        (0, dt.time(13)),
        (4, dt.time(10)),
    ]
    assert not created.holidays.exists()

    at.button(key=f"calendar_delete_{created.pk}").click().run()
    assert_ok(at)
    assert not BusinessCalendar.objects.exists()
    assert "Calendar deleted." in texts(at)


def test_a_calendar_error_from_the_api_is_shown_in_words(new_app, supervisor):
    calendar = calendars.calendar_create(
        actor=None, name="Office", time_zone="UTC", working_hours=NINE_TO_FIVE
    )
    at = log_in(new_app(), supervisor.email)
    goto(at, CALENDAR_PAGE)
    edit = f"calendar_{calendar.pk}"
    at.text_input(key=f"{edit}_hours_monday").input("17:00-09:00")
    at.button(key=f"{edit}_save").click().run()
    assert_ok(at)
    assert any(e.value.startswith("Working hours:") for e in at.error), texts(at)

    at.text_input(key=f"{edit}_hours_monday").input("nine to five")
    at.button(key=f"{edit}_save").click().run()
    assert any("Monday: write a range like 09:00-17:00." in e.value for e in at.error)
    assert calendar.working_hours.filter(weekday=0, opens_at=dt.time(9)).exists()


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_agents_and_customers_get_neither_page(new_app, request, role):
    user = request.getfixturevalue(role)
    at = log_in(new_app(), user.email)
    for page in (CANNED_PAGE, CALENDAR_PAGE):  # not in their navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
