"""CSAT in GET /api/stats/: known dataset, window, empty case, constant queries, schema.

The feedback rows are written directly, then counted by ``rebuild``."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from analytics.selectors import complaint_stats, window_days
from analytics.services import rebuild
from complaints.models import Feedback
from complaints.workflow import Status
from tests.helpers.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def rate(rating: int, created_at: datetime) -> Feedback:
    complaint = ComplaintFactory.create(status=Status.CLOSED)
    return Feedback.objects.create(complaint=complaint, rating=rating, created_at=created_at)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def ratings(now):
    """Six ratings in the last week, two older ones outside a 7-day window."""
    recent = now - timedelta(minutes=5)
    for r in (5, 5, 4, 3, 1, 5):
        rate(r, recent)
    rate(1, now - timedelta(days=20))
    rate(2, now - timedelta(days=20))
    rebuild(now=now)


def test_csat_known_dataset(supervisor_client, ratings):
    body = supervisor_client.get("/api/stats/", {"days": 7}).json()
    assert body["csat"] == {
        "responses": 6,
        "average_rating": pytest.approx(23 / 6),
        "satisfied_share": pytest.approx(4 / 6),
        "distribution": {"1": 1, "2": 0, "3": 1, "4": 1, "5": 3},
    }


def test_csat_window_follows_days(admin_client_api, ratings):
    csat = admin_client_api.get("/api/stats/", {"days": 30}).json()["csat"]
    assert csat["responses"] == 8
    assert csat["distribution"] == {"1": 2, "2": 1, "3": 1, "4": 1, "5": 3}
    assert csat["average_rating"] == pytest.approx(26 / 8)
    assert csat["satisfied_share"] == pytest.approx(0.5)


def test_csat_window_starts_at_utc_midnight(now):
    first, last = window_days(days=7, today=now.astimezone(UTC).date())
    assert last == now.astimezone(UTC).date()
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    rate(5, start)  # first instant of the window: in
    rate(1, start - timedelta(microseconds=1))  # just before: out
    rebuild(now=now)
    csat = complaint_stats(days=7, now=now)["csat"]
    assert csat["responses"] == 1
    assert csat["distribution"]["5"] == 1


def test_csat_empty(supervisor_client):
    csat = supervisor_client.get("/api/stats/").json()["csat"]
    assert csat == {
        "responses": 0,
        "average_rating": None,
        "satisfied_share": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }


def test_stats_with_csat_constant_queries(ratings, now, django_assert_num_queries):
    with django_assert_num_queries(4):
        complaint_stats(days=365, now=now)
    for i in range(25):
        rate(1 + i % 5, now - timedelta(hours=i))
    rebuild(now=now)
    with django_assert_num_queries(4):
        csat = complaint_stats(days=7, now=now)["csat"]
    assert csat["responses"] == 31


def test_csat_documented_in_openapi(supervisor_client):
    schema = supervisor_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    stats = schema["components"]["schemas"]["Stats"]
    assert "csat" in stats["required"]
    csat = schema["components"]["schemas"]["Csat"]
    assert set(csat["properties"]) == {
        "responses",
        "average_rating",
        "satisfied_share",
        "distribution",
    }
    dist = schema["components"]["schemas"]["CsatDistribution"]
    assert set(dist["properties"]) == {"1", "2", "3", "4", "5"}
