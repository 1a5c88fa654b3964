"""GET /api/stats/: permissions, correctness on a known dataset, query count, and that it
reads the aggregates only (the complaints are counted by ``rebuild`` here)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted

from analytics.histogram import RELATIVE_ERROR
from analytics.selectors import complaint_stats
from analytics.services import rebuild
from complaints.models import Complaint, Priority
from complaints.workflow import Status
from tests.helpers.factories import CategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def make(
    created,
    *,
    status=Status.NEW,
    ack_after=None,
    resolve_after=None,
    ack_due=48 * H,
    resolve_due=240 * H,
    **kw,
):
    """A complaint created at ``created`` with timestamps relative to it."""
    c = ComplaintFactory.create(
        created_at=created,
        status=status,
        acknowledged_at=created + ack_after if ack_after is not None else None,
        resolved_at=created + resolve_after if resolve_after is not None else None,
        ack_due_at=created + ack_due,
        resolve_due_at=created + resolve_due,
        **kw,
    )
    return c


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def dataset(now):
    """Five complaints with known clocks; see each comment for its SLA outcome."""
    billing = CategoryFactory.create(name="Billing", slug="billing")
    delivery = CategoryFactory.create(name="Delivery", slug="delivery")
    old = now - timedelta(days=20)
    # 1: acked after 1h, resolved after 10h, both on time -> decided, not breached
    make(
        old,
        status=Status.RESOLVED,
        ack_after=1 * H,
        resolve_after=10 * H,
        category=billing,
        priority=Priority.HIGH,
    )
    # 2: acked after 3h, resolved after 300h (> 240h due) -> breached
    make(old, status=Status.CLOSED, ack_after=3 * H, resolve_after=300 * H, category=billing)
    # 3: acked after 50h (> 48h due), still in progress, resolve clock still running
    #    (resolve due = created + 1000h) -> breached (ack late)
    make(
        old,
        status=Status.IN_PROGRESS,
        ack_after=50 * H,
        resolve_due=1000 * H,
        category=delivery,
        priority=Priority.URGENT,
    )
    # 4: new, created 1h ago, nothing due yet -> undecided
    make(now - 1 * H, category=delivery, priority=Priority.LOW)
    # 5: new, created 3 days ago, never acknowledged (due 48h) -> breached, ack overdue
    make(now - timedelta(days=3), category=delivery)
    rebuild(now=now)
    return {"billing": billing, "delivery": delivery}


def test_customers_and_agents_forbidden(customer_client, agent_client, api_client):
    assert customer_client.get("/api/stats/").status_code == 403
    assert agent_client.get("/api/stats/").status_code == 403
    assert api_client.get("/api/stats/").status_code == 401


@pytest.mark.parametrize("days", ["0", "366", "abc", "-3"])
def test_bad_days_is_400(supervisor_client, days):
    resp = supervisor_client.get("/api/stats/", {"days": days})
    assert resp.status_code == 400
    assert "days" in resp.json()


def test_the_longest_window_is_in_the_answer_and_accepted(supervisor_client):
    longest = supervisor_client.get("/api/stats/").json()["max_days"]
    body = supervisor_client.get("/api/stats/", {"days": longest}).json()
    assert (body["days"], len(body["per_day"])) == (longest, longest)
    assert supervisor_client.get("/api/stats/", {"days": longest + 1}).status_code == 400


def test_known_dataset(supervisor_client, dataset, now):
    resp = supervisor_client.get("/api/stats/")
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 5
    assert body["by_status"]["new"] == 2
    assert body["by_status"]["resolved"] == 1
    assert body["by_status"]["closed"] == 1
    assert body["by_status"]["in_progress"] == 1
    assert body["by_status"]["rejected"] == 0
    assert body["by_priority"] == {"low": 1, "normal": 2, "high": 1, "urgent": 1}
    cats = {c["slug"]: c["count"] for c in body["by_category"]}
    assert cats == {"billing": 2, "delivery": 3}
    # acks: 1h, 3h, 50h -> median 3h; resolves: 10h, 300h -> median 155h (from histograms)
    assert body["median_seconds_to_acknowledge"] == pytest.approx(3 * 3600, rel=RELATIVE_ERROR)
    assert body["median_seconds_to_resolve"] == pytest.approx(155 * 3600, rel=RELATIVE_ERROR)
    assert body["p90_seconds_to_acknowledge"] == pytest.approx(40.6 * 3600, rel=RELATIVE_ERROR)
    # Complaint 5 is overdue (never acknowledged); 3's resolve clock still runs in time.
    assert body["overdue"] == 1
    # In the last 30 days: all five filed, three acknowledged, two resolved, none closed
    # (complaint 2 is CLOSED without a closed_at).
    period = body["period"]
    assert (period["created"], period["acknowledged"], period["resolved"]) == (5, 3, 2)
    assert period["median_seconds_to_resolve"] == body["median_seconds_to_resolve"]
    # decided: 1, 2, 3 (ack due passed), 5 -> 4; breached: 2, 3, 5 -> 3
    assert body["sla_decided"] == 4
    assert body["sla_breached"] == 3
    assert body["sla_breach_rate"] == pytest.approx(0.75)


def test_empty_database(supervisor_client):
    body = supervisor_client.get("/api/stats/").json()
    assert body["total"] == 0
    assert body["median_seconds_to_acknowledge"] is None
    assert body["sla_breach_rate"] is None
    assert len(body["per_day"]) == 30
    assert all(d["created"] == 0 and d["resolved"] == 0 for d in body["per_day"])


def test_per_day_zero_filled(admin_client_api, now):
    today = now.astimezone(UTC).date()
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + 12 * H
    five_days_ago = noon - timedelta(days=5)
    # Two created five days ago, one of them resolved two days ago; one created today.
    make(five_days_ago)
    make(five_days_ago, status=Status.RESOLVED, ack_after=H, resolve_after=timedelta(days=3))
    make(min(noon, now - timedelta(minutes=1)))
    # 40 days ago: outside the default window.
    make(noon - timedelta(days=40))
    rebuild(now=now)

    body = admin_client_api.get("/api/stats/", {"days": 7}).json()
    series = body["per_day"]
    assert [d["day"] for d in series] == [
        (today - timedelta(days=i)).isoformat() for i in range(6, -1, -1)
    ]
    by_day = {d["day"]: (d["created"], d["resolved"]) for d in series}
    assert by_day[(today - timedelta(days=5)).isoformat()] == (2, 0)
    assert by_day[(today - timedelta(days=2)).isoformat()] == (0, 1)
    assert by_day[today.isoformat()] == (1, 0)
    assert sum(c for c, _ in by_day.values()) == 3
    assert body["period"]["first_day"] == (today - timedelta(days=6)).isoformat()
    assert body["period"]["created"] == 3


def test_constant_query_count_and_no_complaints_table(
    supervisor, dataset, now, django_assert_num_queries
):
    with django_assert_num_queries(4):
        small = complaint_stats(days=30, now=now)
    for i in range(30):
        make(
            now - timedelta(days=i, hours=1),
            status=Status.RESOLVED,
            ack_after=H,
            resolve_after=2 * H,
            category=CategoryFactory.create(),
        )
    rebuild(now=now)
    with CaptureQueriesContext(connection) as queries:
        big = complaint_stats(days=365, now=now)
    assert len(queries.captured_queries) == 4
    assert not [q["sql"] for q in queries.captured_queries if "complaints_complaint" in q["sql"]]
    assert big["total"] == small["total"] + 30
    assert sum(d["created"] for d in big["per_day"]) == Complaint.objects.count()


def test_stats_are_the_aggregates_not_the_complaints(dataset, now):
    # A complaint written behind the services' back is not counted until a sync or a rebuild.
    make(now - H)
    assert complaint_stats(now=now)["total"] == 5
    rebuild()
    assert complaint_stats(now=now)["total"] == 6


def test_answers_are_shared_for_a_moment(supervisor_client, admin_client_api, dataset):
    first = supervisor_client.get("/api/stats/", {"days": 7}).json()
    with CaptureQueriesContext(connection) as queries:
        again = admin_client_api.get("/api/stats/", {"days": 7}).json()
    assert again == first
    assert not [q for q in queries.captured_queries if "analytics_" in q["sql"]]
    other_window = supervisor_client.get("/api/stats/", {"days": 30}).json()
    assert other_window["days"] == 30
    with override_settings(ANALYTICS_STATS_CACHE_SECONDS=0):
        fresh = supervisor_client.get("/api/stats/", {"days": 7}).json()
    assert fresh["generated_at"] != first["generated_at"]


def test_stats_without_redis_are_computed_per_request(supervisor_client, dataset, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionInterrupted(connection=None)

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    assert supervisor_client.get("/api/stats/").json()["total"] == 5


def test_stats_request_query_count(supervisor_client, dataset, django_assert_max_num_queries):
    # The four of the selector, plus authentication (the user, its groups).
    with django_assert_max_num_queries(7):
        assert supervisor_client.get("/api/stats/", {"days": 365}).status_code == 200


def test_new_fields_documented_in_openapi(supervisor_client):
    schema = supervisor_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    stats = schema["components"]["schemas"]["Stats"]
    for field in ("p90_seconds_to_acknowledge", "p90_seconds_to_resolve", "overdue", "period"):
        assert field in stats["required"]
    period = schema["components"]["schemas"]["Period"]["properties"]
    assert {"first_day", "last_day", "created", "median_seconds_to_resolve"} <= set(period)
