"""Inputs that used to reach a 500 or be parsed whole: each is a 4xx JSON answer now."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from tests.helpers.complaints import make_complaint
from tests.helpers.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def assert_json(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# Lone surrogates ---------------------------------------------------------------------------

LONE_SURROGATE_EMAIL = '{"email": "a\\ud800@b.c", "password": "x", "full_name": "A"}'


@pytest.mark.parametrize("path", ["/api/token/", "/api/users/"])
def test_a_lone_surrogate_in_the_email_is_400_before_any_throttle(api_client, path):
    response = api_client.post(path, data=LONE_SURROGATE_EMAIL, content_type="application/json")

    assert "lone surrogate" in assert_json(response, 400)["detail"]


def test_a_lone_surrogate_anywhere_in_a_body_is_400(customer_client, category):
    body = json.dumps({"category": category.pk, "title": "ok", "description": "\ud83d bad"})

    response = customer_client.post("/api/complaints/", data=body, content_type="application/json")

    assert_json(response, 400)


def test_a_surrogate_pair_is_an_ordinary_character(api_client):
    body = '{"email": "\\ud83d\\ude00@example.com", "password": "x"}'

    response = api_client.post("/api/token/", data=body, content_type="application/json")

    assert_json(response, 401)


# Body size ---------------------------------------------------------------------------------


@override_settings(API_MAX_JSON_BYTES=1024)
def test_a_json_body_over_the_cap_is_413_before_parsing(api_client, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("complaints_project.parsers.JSONParser.parse", never)
    body = json.dumps({"email": "a@example.com", "password": "x" * 2000})

    response = api_client.post("/api/token/", data=body, content_type="application/json")

    document = assert_json(response, 413)
    assert document == {
        "detail": "The request body is larger than 1024 bytes.",
        "code": "too_large",
    }


@override_settings(API_MAX_JSON_BYTES=1024)
def test_a_json_body_at_the_cap_is_parsed(api_client, customer):
    body = json.dumps({"email": customer.email, "password": DEFAULT_PASSWORD}).ljust(1024)

    response = api_client.post("/api/token/", data=body, content_type="application/json")

    assert_json(response, 200)


@override_settings(API_MAX_JSON_BYTES=1024)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_other_non_multipart_bodies_share_the_json_cap(api_client, content_type):
    response = api_client.post("/api/users/", data="x" * 2048, content_type=content_type)

    assert_json(response, 413)


@override_settings(API_MAX_JSON_BYTES=1024, API_MAX_MULTIPART_BYTES=8192)
def test_multipart_bodies_have_the_upload_cap(customer, customer_client):
    complaint = make_complaint(customer=customer)
    url = f"/api/complaints/{complaint.pk}/attachments/"

    def upload(size: int):
        text = SimpleUploadedFile("notes.txt", b"a" * size, content_type="text/plain")
        return customer_client.post(url, {"file": text}, format="multipart")

    assert_json(upload(4096), 201)  # above the JSON cap, within the multipart one
    assert_json(upload(9000), 413)


def test_a_malformed_content_length_is_400():
    response = APIClient().generic(
        "POST", "/api/token/", data="{}", content_type="application/json", CONTENT_LENGTH="x"
    )

    assert_json(response, 400)


def test_the_default_cap_is_one_mebibyte():
    assert settings.API_MAX_JSON_BYTES == 1024 * 1024


# Date-time filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-16:00", "2026-01-01T00:00:00+23:59"],
)
@pytest.mark.parametrize("name", ["created_after", "created_before"])
def test_utc_offsets_beyond_postgresql_range_are_400(agent_client, name, value):
    response = agent_client.get("/api/complaints/", {name: value})

    assert assert_json(response, 400) == {
        name: ["The UTC offset must be between -15:59 and +15:59."]
    }


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+15:59", "2026-01-01T00:00:00-15:59:59"])
def test_the_largest_offsets_postgresql_accepts_work(agent_client, value):
    assert_json(agent_client.get("/api/complaints/", {"created_after": value}), 200)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_date_times_that_leave_the_calendar_in_utc_are_400(agent_client, value):
    response = agent_client.get("/api/complaints/", {"created_before": value})

    assert assert_json(response, 400) == {"created_before": ["The date-time is out of range."]}
