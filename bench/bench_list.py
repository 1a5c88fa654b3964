"""Benchmark the complaint list endpoint on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaints_bench \
        uv run python manage.py seed_demo --complaints 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaints_bench \
        uv run python bench/bench_list.py [--repeat 30]

Requests go through Django's test client (full middleware, JWT auth, serializers) as the
demo agent. Prints p50/p95 latency and SQL query counts per scenario, then EXPLAIN ANALYZE
of the main list queries (the page rows query, whose ``IN (...)`` subquery pages the ids) to
show which indexes they use and that decryption happens for the page's rows only.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_project.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.selectors import user_get_by_email  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from complaints.selectors import complaint_list  # noqa: E402

# Stands for the newest complaint's reference minus its last two digits.
REFERENCE_PREFIX = "<reference prefix>"
SCENARIOS: list[tuple[str, dict[str, str]]] = [
    ("default (newest first)", {}),
    ("status=new", {"status": "new"}),
    ("status=in_progress,awaiting_customer", {"status": "in_progress,awaiting_customer"}),
    ("overdue=true", {"overdue": "true"}),
    ("assignee=me&status=in_progress", {"assignee": "me", "status": "in_progress"}),
    ("q=<reference prefix>", {"q": REFERENCE_PREFIX}),
    ("q=parcel (title words)", {"q": "parcel"}),
    ("ordering=-priority", {"ordering": "-priority"}),
    ("ordering=resolve_due_at&overdue=true", {"ordering": "resolve_due_at", "overdue": "true"}),
    ("page=200", {"page": "200"}),
    ("ordering=-last_customer_activity_at", {"ordering": "-last_customer_activity_at"}),
    (
        "assignee=me&ordering=-last_customer_activity_at",
        {"assignee": "me", "ordering": "-last_customer_activity_at"},
    ),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--email", default="agent@example.com")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--explain-only", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0, help="SQL statement timeout (s)")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="max seconds per scenario (min 3 samples)"
    )
    args = parser.parse_args()

    user = user_get_by_email(email=args.email)
    if user is None:
        sys.exit("Run `manage.py seed_demo --complaints N` first.")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = %s", [f"{int(args.timeout * 1000)}"])
    total = Complaint.objects.count()
    ref = Complaint.objects.order_by("-created_at").values_list("reference", flat=True).first()
    ref_prefix = (ref or "")[:-2]
    print(f"complaints: {total}   user: {args.email} ({user.role})   repeat: {args.repeat}")
    if not args.explain_only:
        time_scenarios(user=user, ref_prefix=ref_prefix, repeat=args.repeat, budget=args.budget)
    if not args.no_explain:
        explain_scenarios(user=user, ref_prefix=ref_prefix)


def time_scenarios(*, user: User, ref_prefix: str, repeat: int, budget: float) -> None:
    """p50/p95 latency, query count and row count of each list scenario through the API."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    print(f"{'scenario':<42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'count':>8}")
    for name, scenario_params in SCENARIOS:
        params = {k: ref_prefix if v == REFERENCE_PREFIX else v for k, v in scenario_params.items()}
        timings: list[float] = []
        queries: set[int] = set()
        count = None
        scenario_started = time.perf_counter()
        for i in range(repeat + 2):
            if i >= 5 and time.perf_counter() - scenario_started > budget:
                break
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                resp = client.get("/api/complaints/", params)
                elapsed = (time.perf_counter() - started) * 1000
            if resp.status_code != 200:
                print(f"{name:<42} HTTP {resp.status_code} after {elapsed:.0f} ms (timeout?)")
                break
            if i >= 2 or elapsed > 1000:  # warm-up (slow ones need no warm-up)
                timings.append(elapsed)
                queries.add(len(ctx.captured_queries))
            count = resp.json().get("count")
            if elapsed > 5000:  # one sample is enough to show a pathological plan
                break
        if not timings:
            continue
        print(
            f"{name:<42} {statistics.median(timings):>8.1f} {percentile(timings, 0.95):>8.1f}"
            f" {'/'.join(map(str, sorted(queries))):>8} {count!s:>8}"
        )


def explain_scenarios(*, user: User, ref_prefix: str) -> None:
    """EXPLAIN ANALYZE of the main list queries and the time of their first page."""
    print("\nEXPLAIN ANALYZE of the main list queries (first page of 25):")
    for name, params in [
        ("default", {}),
        ("status=new", {"status": "new"}),
        ("overdue=true", {"overdue": "true"}),
        ("q=<reference prefix>", {"q": ref_prefix}),
        ("q=parcel", {"q": "parcel"}),
        ("assignee=me&status=in_progress", {"assignee": "me", "status": "in_progress"}),
    ]:
        listing = complaint_list(user=user, filters=params)
        print(f"\n--- {name}")
        sql, sql_params = listing.page_sql(offset=0, limit=25)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
            print("\n".join(row[0] for row in cursor.fetchall()))
        started = time.perf_counter()
        list(listing.keys.values_list("pk", flat=True)[:25])
        keys_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        listing.page(offset=0, limit=25)
        full_ms = (time.perf_counter() - started) * 1000
        print(
            f"--- {name}: first page {full_ms:.1f} ms as the list selects it "
            f"(ids paged, then the page's rows joined and decrypted), "
            f"{keys_ms:.1f} ms for the page's ids alone"
        )


if __name__ == "__main__":
    main()
