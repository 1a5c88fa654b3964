"""JSON errors everywhere under /api/ and /health/ (DEBUG off, as in production)."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from complaints_project.middleware import RequestIdLogFilter


@pytest.fixture
def client_no_raise():
    return APIClient(raise_request_exception=False)


def assert_json(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.django_db
def test_malformed_json_is_400(api_client):
    response = api_client.post(
        "/api/users/", data='{"email": "a@example.com",', content_type="application/json"
    )

    assert "detail" in assert_json(response, 400)


@pytest.mark.django_db
def test_malformed_json_on_login_is_400(api_client):
    response = api_client.post("/api/token/", data="{nope", content_type="application/json")

    assert_json(response, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", '"text"', "null", "42"])
def test_non_object_json_is_400(api_client, body):
    for url in ("/api/users/", "/api/token/"):
        response = api_client.post(url, data=body, content_type="application/json")
        assert_json(response, 400)


@pytest.mark.django_db
def test_unsupported_content_type_is_415(api_client):
    response = api_client.post("/api/users/", data="email=a", content_type="text/plain")

    assert "detail" in assert_json(response, 415)


@pytest.mark.django_db
def test_unsupported_content_type_on_authenticated_endpoint_is_415(customer_client):
    response = customer_client.patch(
        "/api/users/me/", data="<xml/>", content_type="application/xml"
    )

    assert_json(response, 415)


@pytest.mark.parametrize(
    "path", ["/api/nope/", "/api/users/me/nothing/", "/health/nope/", "/nowhere/"]
)
@pytest.mark.django_db
def test_unknown_url_is_json_404(client_no_raise, path):
    response = client_no_raise.get(path)

    assert assert_json(response, 404) == {"detail": "Not found."}


@pytest.mark.django_db
def test_post_to_unknown_url_is_json_404(client_no_raise):
    response = client_no_raise.post("/api/nope/", {"a": 1}, format="json")

    assert_json(response, 404)


@pytest.mark.django_db
def test_method_not_allowed_is_json_405(api_client, customer_client):
    assert "detail" in assert_json(api_client.get("/api/users/"), 405)
    assert "detail" in assert_json(api_client.get("/api/token/"), 405)
    assert_json(customer_client.delete("/api/users/me/export/"), 405)


@pytest.mark.django_db
def test_unauthenticated_is_json_401(api_client):
    response = api_client.get("/api/users/me/")

    assert "detail" in assert_json(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_bad_token_is_json_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")

    assert_json(api_client.get("/api/users/me/"), 401)


@pytest.mark.django_db
def test_disallowed_host_is_json_400(client_no_raise):
    response = client_no_raise.get("/api/users/me/", HTTP_HOST="evil.example.org")

    assert_json(response, 400)


@pytest.mark.django_db
def test_unexpected_error_is_json_500_without_trace(client_no_raise, customer, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("accounts.api.views.user_data_export", boom)
    client_no_raise.force_authenticate(customer)

    response = client_no_raise.get("/api/users/me/export/")

    assert assert_json(response, 500) == {
        "detail": "Internal server error.",
        "code": "server_error",
    }
    assert "secret internals" not in response.content.decode()


def test_json_server_error_handler():
    from django.test import RequestFactory

    from complaints_project.exceptions import json_server_error

    response = json_server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


# Request ids -----------------------------------------------------------------


def test_request_id_is_echoed(client):
    response = client.get("/health/", HTTP_X_REQUEST_ID="abc-123.req")

    assert response["X-Request-ID"] == "abc-123.req"


@pytest.mark.parametrize("incoming", [None, "", "bad id with spaces", "x" * 200, "<script>"])
def test_request_id_is_generated_when_missing_or_invalid(client, incoming):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}

    response = client.get("/health/", **headers)

    generated = response["X-Request-ID"]
    assert len(generated) == 32
    assert int(generated, 16) >= 0
    assert generated != incoming


def test_each_request_gets_its_own_id(client):
    assert client.get("/health/")["X-Request-ID"] != client.get("/health/")["X-Request-ID"]


@pytest.fixture
def json_log_lines():
    """Capture what the configured JSON console handler writes (real filter and formatter)."""
    # Re-apply the project's config: an in-process Celery worker elsewhere in the suite may
    # have replaced the root handlers.
    logging.config.dictConfig(settings.LOGGING)
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdLogFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    old_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line]
    finally:
        handler.setStream(old_stream)
        logging.getLogger().setLevel(old_level)


def logging_check():
    """A readiness check that logs, so a record is emitted while a request is served."""
    logging.getLogger("tests.request").warning("inside the request")
    return True, {}


@override_settings(HEALTH_CHECKS=["tests.test_errors.logging_check"])
def test_log_record_during_request_carries_request_id(json_log_lines):
    response = APIClient().get("/health/ready/", HTTP_X_REQUEST_ID="trace-42")

    assert response.status_code == 200
    records = [r for r in json_log_lines() if r["logger"] == "tests.request"]
    assert records == [
        {
            "time": records[0]["time"],
            "level": "WARNING",
            "logger": "tests.request",
            "message": "inside the request",
            "request_id": "trace-42",
        }
    ]


@pytest.mark.django_db
def test_error_responses_are_logged_with_request_id(json_log_lines):
    APIClient().get("/api/users/me/", HTTP_X_REQUEST_ID="trace-401")
    APIClient(raise_request_exception=False).get("/api/nope/", HTTP_X_REQUEST_ID="trace-404")

    records = [r for r in json_log_lines() if r["logger"] == "django.request"]
    assert [(r["status_code"], r["request_id"]) for r in records] == [
        (401, "trace-401"),
        (404, "trace-404"),
    ]


def test_log_outside_a_request_has_placeholder_id(json_log_lines):
    logging.getLogger("tests.request").warning("no request")

    [record] = [r for r in json_log_lines() if r["logger"] == "tests.request"]
    assert record["request_id"] == "-"


def _rows_for_a_lost_race(race: str):
    """Build the first row, return a callable that writes the second one (the loser)."""
    from complaints.models import Category, Feedback, IdempotencyKey
    from tests.factories import CategoryFactory, ComplaintFactory, UserFactory

    if race == "category slug":
        taken = CategoryFactory()
        return lambda: Category.objects.create(name="Another name", slug=taken.slug)
    if race == "category name":
        taken = CategoryFactory()
        return lambda: Category.objects.create(name=taken.name, slug="another-slug")
    if race == "user email":
        taken = UserFactory()
        return lambda: UserFactory(email=taken.email)
    if race == "idempotency key":
        complaint = ComplaintFactory()
        fields = {"user": complaint.customer, "key": "k", "complaint": complaint}
        IdempotencyKey.objects.create(request_fingerprint="a", **fields)
        return lambda: IdempotencyKey.objects.create(request_fingerprint="b", **fields)
    if race == "feedback per complaint":
        complaint = ComplaintFactory()
        Feedback.objects.create(complaint=complaint, rating=4)
        return lambda: Feedback.objects.create(complaint=complaint, rating=5)
    raise AssertionError(race)


def _serve_through_an_endpoint(client, user, monkeypatch, write):
    """Run ``write`` inside a real API request (in its own savepoint, as a service would)."""
    from django.db import transaction

    def inside_the_request(**kwargs):
        with transaction.atomic():
            write()

    monkeypatch.setattr("accounts.api.views.user_data_export", inside_the_request)
    client.force_authenticate(user)
    return client.get("/api/users/me/export/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "race",
    ["category slug", "category name", "user email", "idempotency key", "feedback per complaint"],
)
def test_lost_unique_constraint_race_is_a_retryable_409(
    client_no_raise, customer, monkeypatch, race
):
    write = _rows_for_a_lost_race(race)

    response = _serve_through_an_endpoint(client_no_raise, customer, monkeypatch, write)

    assert assert_json(response, 409) == {
        "detail": "The request conflicts with data saved at the same time; retry."
    }
    assert "duplicate key" not in response.content.decode()


def _rows_for_a_bug(bug: str):
    from django.db import IntegrityError

    from complaints.models import Feedback
    from tests.factories import ComplaintFactory

    if bug == "duplicate complaint reference":
        taken = ComplaintFactory()
        return lambda: ComplaintFactory(reference=taken.reference)
    if bug == "check constraint":
        complaint = ComplaintFactory()
        return lambda: Feedback.objects.create(complaint=complaint, rating=9)
    if bug == "no database cause":

        def raise_bare():
            raise IntegrityError('duplicate key value violates unique constraint "x"')

        return raise_bare
    raise AssertionError(bug)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bug", ["duplicate complaint reference", "check constraint", "no database cause"]
)
def test_other_integrity_errors_are_a_logged_500(
    client_no_raise, customer, monkeypatch, caplog, bug
):
    write = _rows_for_a_bug(bug)

    with caplog.at_level(logging.ERROR, logger="complaints_project.exceptions"):
        response = _serve_through_an_endpoint(client_no_raise, customer, monkeypatch, write)

    assert assert_json(response, 500) == {
        "detail": "Internal server error.",
        "code": "server_error",
    }
    assert "constraint" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "complaints_project.exceptions"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[0].__name__ == "IntegrityError"


@pytest.mark.django_db
def test_every_retryable_constraint_exists_in_the_database():
    """The 409 list names constraints by name: a renamed one must fail here, not in production."""
    from django.db import connection

    from complaints_project.exceptions import RETRYABLE_UNIQUE_CONSTRAINTS

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'u' AND conname = ANY(%s)",
            [list(RETRYABLE_UNIQUE_CONSTRAINTS)],
        )
        found = {name for (name,) in cursor.fetchall()}
    assert found == RETRYABLE_UNIQUE_CONSTRAINTS
