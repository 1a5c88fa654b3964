"""/api/sla-calendars/ and a category's calendar: permissions, validation, the whole week."""

import pytest

from complaints.models import BusinessCalendar
from tests.factories import CategoryFactory

URL = "/api/sla-calendars/"
WEEK = [
    {"weekday": day, "opens_at": "09:00", "closes_at": "17:00"}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
]
BODY = {
    "name": "London office",
    "time_zone": "Europe/London",
    "is_default": True,
    "working_hours": WEEK,
    "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def created(supervisor_client):
    response = supervisor_client.post(URL, BODY, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_supervisor_creates_a_calendar(created):
    assert created["time_zone"] == "Europe/London"
    assert created["is_default"] is True
    assert created["working_hours"][0] == {
        "weekday": "monday",
        "opens_at": "09:00",
        "closes_at": "17:00",
    }
    assert created["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}]
    assert created["category_ids"] == []


@pytest.mark.parametrize("who", ["customer", "agent"])
def test_only_supervisors_and_admins_manage_calendars(request, who, created):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(URL).status_code == 403
    assert client.post(URL, {**BODY, "name": "Other"}, format="json").status_code == 403
    detail = f"{URL}{created['id']}/"
    assert client.get(detail).status_code == 403
    assert client.patch(detail, {"name": "X"}, format="json").status_code == 403
    assert client.delete(detail).status_code == 403
    assert BusinessCalendar.objects.count() == 1


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_admin_lists_calendars(admin_client_api, created):
    body = admin_client_api.get(URL).json()
    assert [c["name"] for c in body["results"]] == ["London office"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"working_hours": []}, "working_hours"),
        (
            {
                "working_hours": [
                    {"weekday": "monday", "opens_at": "09:00", "closes_at": "13:00"},
                    {"weekday": "monday", "opens_at": "12:00", "closes_at": "17:00"},
                ]
            },
            "working_hours",
        ),
        (
            {"working_hours": [{"weekday": "monday", "opens_at": "17:00", "closes_at": "09:00"}]},
            "working_hours",
        ),
        (
            {"working_hours": [{"weekday": "funday", "opens_at": "09:00", "closes_at": "17:00"}]},
            "working_hours",
        ),
        ({"working_hours": [{"weekday": "monday"}]}, "working_hours"),
        ({"holidays": [{"date": "2026-12-25"}, {"date": "2026-12-25"}]}, "holidays"),
        ({"name": " "}, "name"),
    ],
)
def test_invalid_calendars_are_400_naming_the_field(supervisor_client, change, field):
    response = supervisor_client.post(URL, {**BODY, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_name_is_used_once(supervisor_client, created):
    response = supervisor_client.post(URL, {**BODY, "is_default": False}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_patch_replaces_the_lists_given_and_keeps_the_rest(supervisor_client, created):
    detail = f"{URL}{created['id']}/"
    response = supervisor_client.patch(
        detail,
        {"working_hours": [{"weekday": "saturday", "opens_at": "10:00", "closes_at": "00:00"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["working_hours"] == [
        {"weekday": "saturday", "opens_at": "10:00", "closes_at": "00:00"}
    ]
    assert body["holidays"] == created["holidays"]
    assert body["name"] == "London office"


def test_patch_with_overlapping_hours_is_400(supervisor_client, created):
    response = supervisor_client.patch(
        f"{URL}{created['id']}/",
        {
            "working_hours": [
                {"weekday": "monday", "opens_at": "09:00", "closes_at": "00:00"},
                {"weekday": "monday", "opens_at": "10:00", "closes_at": "11:00"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert "working_hours" in response.json()


def test_a_new_default_replaces_the_old(supervisor_client, created):
    second = supervisor_client.post(URL, {**BODY, "name": "New office"}, format="json").json()
    first = supervisor_client.get(f"{URL}{created['id']}/").json()
    assert (first["is_default"], second["is_default"]) == (False, True)


def test_unknown_calendar_is_404(supervisor_client):
    assert supervisor_client.get(f"{URL}999999/").status_code == 404
    assert supervisor_client.delete(f"{URL}999999/").status_code == 404


def test_delete(supervisor_client, created):
    assert supervisor_client.delete(f"{URL}{created['id']}/").status_code == 204
    assert not BusinessCalendar.objects.exists()


def test_a_category_takes_a_calendar(supervisor_client, created):
    category = CategoryFactory()
    url = f"/api/categories/{category.pk}/"
    response = supervisor_client.patch(url, {"business_calendar_id": created["id"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["business_calendar_id"] == created["id"]
    assert supervisor_client.get(f"{URL}{created['id']}/").json()["category_ids"] == [category.pk]
    cleared = supervisor_client.patch(url, {"business_calendar_id": None}, format="json")
    assert cleared.json()["business_calendar_id"] is None


def test_a_category_with_an_unknown_calendar_is_400(supervisor_client):
    category = CategoryFactory()
    response = supervisor_client.patch(
        f"/api/categories/{category.pk}/", {"business_calendar_id": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "business_calendar_id" in response.json()


def test_list_query_count_is_constant(supervisor_client, django_assert_max_num_queries):
    for n in range(5):
        supervisor_client.post(URL, {**BODY, "name": f"Office {n}"}, format="json")
    with django_assert_max_num_queries(6):
        assert len(supervisor_client.get(URL).json()["results"]) == 5
