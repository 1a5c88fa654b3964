"""Which index serves which query, and what the complaint table's indexes cost a write.

    uv run python bench/bench_indexes.py --db complaints_bench_1m [--writes 20000]

Against a database seeded by ``make bench`` (with its keys, ``bench_api_db.data_keys``):

1. Every SQL statement of the requests ``make bench`` measures, of the Streamlit queue's default
   query, the admin's changelist, the staff list with workloads and the SLA scan is captured
   (the requests run in-process through the real views) and run again under ``EXPLAIN ANALYZE``;
   the script prints each statement's time and the indexes its plan reads, then, for each index
   of the complaint table, the statements that use it, and the indexes no statement used.
2. Write cost: ``--writes`` complaints inserted by the seeder with every index in place, and
   ``--creates`` complaints filed through ``complaint_create`` (the create endpoint's service:
   row, history, outbox), each inside a transaction that is rolled back, so the database is
   left as it was.
"""

import argparse
import math
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# streamlit_frontend/app_pages/queue.py: "Sort by" (resolve_due_at, the default, is above).
QUEUE_ORDERINGS = ("-priority", "-created_at", "created_at", "-updated_at")
PLAN_RUNS = 5
# Rows the pure-SQL insert copies (new id and reference) to measure index maintenance.
SQL_INSERT_ROWS = 20_000
INDEX_IN_PLAN = re.compile(
    r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)"
)


def setup(database: str) -> None:
    from bench_api_db import data_keys

    os.environ.update(data_keys(database))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "complaints_project.settings"
    os.environ.pop("DJANGO_ENV", None)
    import django

    django.setup()


class Rollback(Exception):
    """Raised to leave a transaction without committing what the block wrote."""


def scenarios() -> list[tuple[str, Callable[[], object]]]:
    from django.utils import timezone
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from accounts.selectors import user_get_by_email
    from complaints.filters import ORDERING_FIELDS
    from complaints.models import Category, Complaint
    from complaints.sla import scan_breaches
    from complaints.workflow import OPEN_STATUSES

    def demo_user(email: str) -> User:
        user = user_get_by_email(email=email)
        if user is None:
            sys.exit(f"No {email}: seed the database with seed_demo first.")
        return user

    def client(email: str) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(demo_user(email))}")
        return api

    agent, supervisor = client("agent@example.com"), client("supervisor@example.com")
    customer = client("customer@example.com")
    admin = APIClient()
    admin.force_login(demo_user("admin@example.com"))
    category = Category.objects.order_by("pk").values_list("pk", flat=True).first()
    detail = Complaint.objects.order_by("reference").values_list("pk", flat=True)[1000]
    open_statuses = ",".join(sorted(OPEN_STATUSES))

    def get(api: APIClient, path: str) -> Callable[[], object]:
        return lambda: api.get(path)

    def sla_scan() -> object:
        from django.db import transaction

        try:
            with transaction.atomic():
                scan_breaches(now=timezone.now())
                raise Rollback
        except Rollback:
            return None

    listing = "/api/complaints/"
    found: list[tuple[str, Callable[[], object]]] = [
        ("list", get(agent, listing)),
        ("status=new", get(agent, f"{listing}?status=new")),
        ("assignee=me", get(agent, f"{listing}?assignee=me")),
        (f"category={category}", get(agent, f"{listing}?category={category}")),
        ("overdue=true", get(agent, f"{listing}?overdue=true")),
        ("q=parcel", get(agent, f"{listing}?q=parcel")),
        ("q=accordion", get(agent, f"{listing}?q=accordion")),
        ("page=40", get(agent, f"{listing}?page=40")),
        (
            "queue default (me, open, due soonest)",
            get(agent, f"{listing}?assignee=me&status={open_statuses}&ordering=resolve_due_at"),
        ),
        (
            "queue unassigned (none, open, due soonest)",
            get(agent, f"{listing}?assignee=none&status={open_statuses}&ordering=resolve_due_at"),
        ),
        (
            "all open, due soonest",
            get(agent, f"{listing}?status={open_statuses}&ordering=resolve_due_at"),
        ),
        ("customer's own list", get(customer, listing)),
        ("customer's own, ordering=-priority", get(customer, f"{listing}?ordering=-priority")),
        ("detail", get(agent, f"{listing}{detail}/")),
        ("stats days=30", get(supervisor, "/api/stats/?days=30")),
        ("stats days=365", get(supervisor, "/api/stats/?days=365")),
        ("staff with workload", get(agent, "/api/users/handlers/")),
        ("admin changelist", get(admin, "/admin/complaints/complaint/")),
        ("admin status=new", get(admin, "/admin/complaints/complaint/?status__exact=new")),
        ("SLA scan", sla_scan),
    ]
    for field in ORDERING_FIELDS:
        for sign in ("", "-"):
            found.append(
                (f"ordering={sign}{field}", get(agent, f"{listing}?ordering={sign}{field}"))
            )
    # The Streamlit queue's other "Sort by" choices, on its default scope (mine, open).
    for ordering in QUEUE_ORDERINGS:
        found.append(
            (
                f"queue (me, open) ordering={ordering}",
                get(agent, f"{listing}?assignee=me&status={open_statuses}&ordering={ordering}"),
            )
        )
    return found


def explain(sql: str) -> tuple[float, float, list[str], str]:
    """(planning ms, execution ms, indexes read, plan); the times are the best of PLAN_RUNS."""
    from django.db import connection

    best_plan, best_run, plan = math.inf, math.inf, ""
    with connection.cursor() as cursor:
        for _ in range(PLAN_RUNS):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
            execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
            best_plan = min(best_plan, float(planning.group(1)) if planning else 0.0)
            best_run = min(best_run, float(execution.group(1)) if execution else 0.0)
    return best_plan, best_run, INDEX_IN_PLAN.findall(plan), plan


def complaint_indexes() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) "
            "FROM pg_stat_user_indexes WHERE relname = 'complaints_complaint' ORDER BY 1"
        )
        return dict(cursor.fetchall())


def usage(verbose: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    used: dict[str, set[str]] = defaultdict(set)
    for name, run in scenarios():
        with CaptureQueriesContext(connection) as ctx:
            run()
        print(f"\n## {name}")
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "complaints_complaint" not in sql:
                continue
            planning, ms, indexes, plan = explain(sql)
            for index in indexes:
                used[index].add(name)
            print(
                f"  plan {planning:6.2f} ms  run {ms:8.2f} ms  {', '.join(indexes) or 'no index'}"
                f"  | {sql[:90]}"
            )
            if verbose:
                print(plan)
    print("\n## complaint table indexes: size, used by")
    for index, size in complaint_indexes().items():
        users = sorted(used.get(index, ()))
        print(f"  {index:<46} {size:>8}  {', '.join(users) if users else 'UNUSED'}")


def _timed_and_rolled_back(work: Callable[[], object]) -> float:
    from django.db import transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def sql_insert() -> None:
    """Copy SQL_INSERT_ROWS complaints inside PostgreSQL (rolled back): time and WAL per row.

    WAL records and bytes per row do not depend on how busy the machine is: they count the
    heap and index entries written.
    """
    from django.db import connection, transaction

    from complaints.models import Complaint

    columns = [
        f.column
        for f in Complaint._meta.concrete_fields
        if f.column and f.column not in {"id", "reference"}
    ]
    listed = ", ".join(columns)
    statement = (
        f"EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) INSERT INTO complaints_complaint "  # noqa: S608
        f"(id, reference, {listed}) SELECT gen_random_uuid(), 'W-' || reference, {listed} "
        f"FROM complaints_complaint ORDER BY reference LIMIT {SQL_INSERT_ROWS}"
    )
    best = math.inf
    wal_records = wal_bytes = 0
    for _ in range(3):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
                plan = cursor.fetchone()[0][0]
                raise Rollback
        except Rollback:
            pass
        best = min(best, plan["Execution Time"])
        wal_records, wal_bytes = plan["Plan"]["WAL Records"], plan["Plan"]["WAL Bytes"]
    rows = SQL_INSERT_ROWS
    print(
        f"  {'INSERT … SELECT in PostgreSQL':<42} {rows:>7} in {best / 1000:7.2f} s: "
        f"{rows / best * 1000:8.0f}/s, {best / rows:.3f} ms each; WAL per row: "
        f"{wal_records / rows:.1f} records, {wal_bytes / rows:,.0f} bytes"
    )


def write_cost(writes: int, creates: int) -> None:
    from accounts.selectors import user_get_by_email
    from complaints.models import Category
    from complaints.services import complaint_create
    from demo.complaints import seed_complaints

    customer = user_get_by_email(email="customer@example.com")
    category = Category.objects.order_by("pk").first()
    if customer is None or category is None:
        sys.exit("No demo customer or category: seed the database first.")

    def file_complaints() -> None:
        for i in range(creates):
            complaint_create(
                customer=customer,
                category=category,
                title=f"Write cost {i}",
                description="My parcel never arrived.",
                actor=customer,
            )

    sql_insert()
    for label, count, work in (
        (
            "seeder (COPY), every index kept",
            writes,
            lambda: seed_complaints(n=writes, rebuild_indexes=False, batch_size=5000),
        ),
        ("complaint_create (row, history, outbox)", creates, file_complaints),
    ):
        elapsed = _timed_and_rolled_back(work)
        print(
            f"  {label:<42} {count:>7} in {elapsed:7.2f} s: {count / elapsed:8.0f}/s, "
            f"{elapsed / count * 1000:.3f} ms each"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="complaints_bench_1m")
    parser.add_argument("--writes", type=int, default=20_000)
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--verbose", action="store_true", help="print every plan")
    parser.add_argument("--skip-writes", action="store_true")
    args = parser.parse_args()
    setup(args.db)
    usage(args.verbose)
    if not args.skip_writes:
        print("\n## write cost (rolled back)")
        write_cost(args.writes, args.creates)


if __name__ == "__main__":
    main()
