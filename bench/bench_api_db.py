"""The database side of ``bench/bench_api.py``: prepare a seeded database, clean up after it.

    DATABASE_URL=… python bench/bench_api_db.py prepare --size 100000
    DATABASE_URL=… python bench/bench_api_db.py cleanup

Run by bench_api.py with dev settings, ``DATABASE_URL`` pointing at the database and the
bench's own pgcrypto and blind-index keys (the server later reads the rows with them).

``prepare`` reuses the database when its fingerprint (stored as the database's comment) says
it holds exactly ``--size`` complaints seeded by this seeder, with every migration on disk
applied, under these keys, and the table really has that many rows; otherwise it drops it,
migrates and seeds again (``seed_demo --complaints N``, which also fills every derived table
it knows of), then ``VACUUM ANALYZE`` so the planner and the visibility map look like a
database that has been running for a while. It prints progress on stderr and, as its last
stdout line, the JSON the benchmark needs (users, ids, words, orderings).

``cleanup`` deletes what the benchmark's POST rows created (titles starting with
``TITLE_PREFIX``) and their outbox rows, so the next run finds the seeded count again.
"""

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_project.settings")

import django  # noqa: E402
import environ  # noqa: E402
import psycopg2  # noqa: E402
from psycopg2 import sql  # noqa: E402

# Complaints the benchmark files through POST carry this title prefix (bench/bench_api.py).
TITLE_PREFIX = "bench-post "
COMMON_WORD = "parcel"
SEED = 1


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _server(config: dict):
    return psycopg2.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
    )


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(size: int) -> str:
    """What the seeded database must have been made from to be reused."""
    migrations = sorted(ROOT.glob("*/migrations/0*.py"))
    seeder = [*ROOT.glob("demo/**/*.py")]
    keys = hashlib.sha256(
        f"{os.environ['PGCRYPTO_KEY']}|{os.environ['BLIND_INDEX_KEY']}".encode()
    ).hexdigest()[:16]
    return json.dumps(
        {
            "complaints": size,
            "migrations": _digest(migrations),
            "seeder": _digest(seeder),
            "keys": keys,
        },
        sort_keys=True,
    )


def _stored_fingerprint(config: dict) -> str | None:
    with _server(config) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [config["NAME"]],
        )
        row = cur.fetchone()
    return None if row is None else (row[0] or "")


def _recreate(config: dict) -> None:
    conn = _server(config)
    conn.autocommit = True
    with conn.cursor() as cur:
        name = sql.Identifier(config["NAME"])
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(name))
    conn.close()


def _count_matches(size: int) -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from complaints.models import Complaint

    if MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    ):
        return False
    return Complaint.objects.count() == size


def _seed(size: int, config: dict, stamp: str) -> float:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--complaints", str(size), "--seed", str(SEED), stdout=sys.stderr)
    log("VACUUM ANALYZE ...")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS %s")
            .format(sql.Identifier(config["NAME"]))
            .as_string(cursor.cursor),
            [stamp],
        )
    return time.perf_counter() - started


def _fixtures(size: int, seeded: bool, seed_seconds: float) -> dict:
    from analytics.selectors import MAX_DAYS
    from complaints.filters import ORDERING_FIELDS
    from complaints.models import Category, Complaint
    from complaints_project.pagination import DefaultPagination
    from demo.users import DEMO_USERS
    from demo.vocabulary import RARE_WORDS

    detail = (
        Complaint.objects.filter(assignee__isnull=False)
        .order_by("reference")
        .values_list("pk", flat=True)[size // 2 : size // 2 + 1]
    )
    category = Category.objects.order_by("pk").values_list("pk", flat=True).first()
    return {
        "complaints": Complaint.objects.count(),
        "seeded": seeded,
        "seed_seconds": round(seed_seconds, 1),
        "users": {u.role: {"email": u.email, "password": u.password} for u in DEMO_USERS},
        "detail_id": str(detail[0]),
        "category_id": category,
        "common_word": COMMON_WORD,
        "rare_word": RARE_WORDS[0],
        "orderings": [f"{sign}{f}" for f in ORDERING_FIELDS for sign in ("", "-")],
        "page_size": DefaultPagination.page_size,
        "max_stats_days": MAX_DAYS,
    }


def prepare(size: int) -> dict:
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    wanted = fingerprint(size)
    stored = _stored_fingerprint(config)
    django.setup()
    if stored == wanted and _count_matches(size):
        log(f"{config['NAME']}: {size} complaints, seeded by this code: reused.")
        return _fixtures(size, seeded=False, seed_seconds=0.0)
    log(f"{config['NAME']}: {'missing' if stored is None else 'stale'}; seeding {size} ...")
    from django.db import connections

    connections.close_all()
    _recreate(config)
    seconds = _seed(size, config, wanted)
    log(f"{config['NAME']}: seeded in {seconds:.0f}s ({size / seconds:.0f} complaints/s).")
    return _fixtures(size, seeded=True, seed_seconds=seconds)


def cleanup() -> int:
    django.setup()
    from django.db import transaction

    from complaints.models import Complaint
    from events.models import OutboxEvent

    with transaction.atomic():
        ids = list(
            Complaint.objects.filter(title__startswith=TITLE_PREFIX).values_list("pk", flat=True)
        )
        OutboxEvent.objects.filter(aggregate_id__in=ids).delete()
        Complaint.objects.filter(pk__in=ids).delete()
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["prepare", "cleanup"])
    parser.add_argument("--size", type=int, default=0)
    args = parser.parse_args()
    if args.action == "prepare":
        print(json.dumps(prepare(args.size)))
    else:
        print(json.dumps({"deleted": cleanup()}))


if __name__ == "__main__":
    main()
