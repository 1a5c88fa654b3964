"""Event pipeline benchmark, run like production: every stage is its own process.

Processes: a Tansu broker on its own port, ``manage.py run_outbox_relay``,
``manage.py run_event_consumer`` and ``celery -A complaints_project worker`` (default pool and
settings). This process only writes (bulk outbox rows, or complaints through the real service)
and reads the results from PostgreSQL.

1. Relay throughput: N pending outbox rows inserted in one transaction, drained by the relay
   process at its default batch size; events/s from the insert's commit to the last row marked
   published (a topic of its own, so the consumer never sees them).
2. End-to-end latency: ``complaint_create`` at a steady rate (each complaint makes two events:
   ``complaint.created``, then ``complaint.assigned`` by triage, so ``--rate 50`` complaints/s
   is the 100 events/s of the target); for each complaint, commit time →
   ``processed_at`` of the ``notify_receipt`` ProcessedEvent row (written in the task's effect
   transaction). Also reports commit → ``published_at`` (the relay's share) and the throughput.

Run: uv run python bench/bench_events.py [--events 20000] [--rate 50] [--seconds 30]
Uses its own database (created and migrated), Redis db 8 (flushed) and broker port.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "complaints_project.settings_test",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/complaints_bench_events",
    "REDIS_URL": "redis://127.0.0.1:6379/8",
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:19392",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "600",
}
for _key, _value in BENCH_ENV.items():
    os.environ.setdefault(_key, _value)
os.environ.pop("TEST_DB_NAME", None)

HANDLER = "complaints.tasks.notify_receipt"
RELAY_TOPIC = "complaints.events.bench-relay"


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def summary(values):
    return (
        f"p50 {pct(values, 50):.1f} ms, p95 {pct(values, 95):.1f} ms, "
        f"p99 {pct(values, 99):.1f} ms, max {max(values):.1f} ms"
    )


def ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    conn.close()


class Procs:
    """Child processes started by the benchmark, stopped by pid (never by name)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], **env: str) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(  # noqa: S603 - fixed commands
            argv, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log
        )

    def stop(self, name: str, timeout: float = 20) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def check(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir}")

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its live descendants (prefork children)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / tick  # own + reaped children
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                total += sum(_tree_cpu(int(c)) for c in f.read().split())
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def _pids_named(comm: str) -> list[int]:
    """Top-level processes called ``comm`` (children are counted by ``_tree_cpu``)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
            ppid = int(tail.split()[1])
            with open(f"/proc/{ppid}/comm") as f:
                parent = f.read().strip()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if head.split("(", 1)[1] == comm and parent != comm:
            pids.append(int(entry))
    return pids


def cpu_snapshot(procs: "Procs", broker) -> dict[str, float]:
    snap = {name: _tree_cpu(proc.pid) for name, proc in procs.procs.items()}
    if broker is not None and broker.process is not None:
        snap["tansu"] = _tree_cpu(broker.process.pid)
    usage = os.times()
    snap["bench"] = usage.user + usage.system
    # Shared servers on this machine (whoever else uses them is counted too).
    for server, comm in (("postgres", "postgres"), ("redis", "redis-server")):
        snap[server] = sum(_tree_cpu(pid) for pid in _pids_named(comm))
    return snap


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def bench_relay(procs: Procs, n: int) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from events.models import OutboxEvent
    from events.outbox import NOTIFY_CHANNEL

    procs.start("relay-throughput", manage("run_outbox_relay"), EVENTS_TOPIC=RELAY_TOPIC)
    time.sleep(3)  # let it connect and LISTEN
    procs.check()
    aggregates = [uuid.uuid4() for _ in range(500)]
    now = timezone.now()
    rows = [
        OutboxEvent(
            type="complaint.updated",
            aggregate_id=aggregates[i % len(aggregates)],
            payload={"reference": f"CMP-2026-{i:06d}", "status": "new", "priority": "normal"},
            occurred_at=now,
        )
        for i in range(n)
    ]
    with transaction.atomic():
        OutboxEvent.objects.bulk_create(rows, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
    start = time.perf_counter()
    pending = OutboxEvent.objects.filter(published_at__isnull=True)
    deadline = time.monotonic() + 300
    while pending.exists():
        procs.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"relay did not drain: {pending.count()} pending")
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    procs.stop("relay-throughput")
    OutboxEvent.objects.all().delete()
    return n / elapsed


def processed_times(handler: str) -> dict[str, float]:
    """{complaint id: processed_at epoch} for ``handler``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT o.aggregate_id, extract(epoch FROM p.processed_at)
            FROM events_processedevent p JOIN events_outboxevent o ON o.event_id = p.event_id
            WHERE p.handler = %s
            """,
            [handler],
        )
        return {str(a): float(t) for a, t in cursor.fetchall()}


def published_times() -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT aggregate_id, extract(epoch FROM published_at) FROM events_outboxevent "
            "WHERE type = 'complaint.created' AND published_at IS NOT NULL"
        )
        return {str(a): float(t) for a, t in cursor.fetchall()}


def bench_latency(
    procs: Procs,
    rate: float,
    seconds: float,
    concurrency: int | None,
    pool: str | None,
    agents: int = 1,
    broker=None,
) -> None:
    from django.utils import timezone

    from accounts.models import Role
    from complaints.services import complaint_create
    from events.models import OutboxEvent
    from tests.factories import CategoryFactory, UserFactory

    worker = [sys.executable, "-m", "celery", "-A", "complaints_project", "worker"]
    worker += ["--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    if concurrency:
        worker.append(f"--concurrency={concurrency}")
    if pool:
        worker.append(f"--pool={pool}")
    procs.start("worker", worker)
    procs.start("consumer", manage("run_event_consumer"))
    procs.start("relay", manage("run_outbox_relay"))

    customer = UserFactory(role=Role.CUSTOMER)
    for _ in range(agents):
        UserFactory(role=Role.AGENT)
    category = CategoryFactory()

    # Warm-up: every process up, the consumer group formed, a complaint all the way through.
    started = time.monotonic()
    warm = complaint_create(
        customer=customer, category=category, title="warm-up", description="x", actor=customer
    )
    while str(warm.pk) not in processed_times(HANDLER):
        procs.check()
        if time.monotonic() - started > 120:
            raise RuntimeError(f"warm-up complaint not processed; see {procs.log_dir}")
        time.sleep(0.1)
    print(f"pipeline ready after {time.monotonic() - started:.1f}s")
    time.sleep(2)

    def create(i: int, due: float) -> tuple[str, float, float]:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        late = time.perf_counter() - due
        complaint = complaint_create(
            customer=customer,
            category=category,
            title=f"bench {i}",
            description="x",
            actor=customer,
        )
        return str(complaint.pk), time.time(), late  # complaint_create has committed

    # Open loop: complaint i is due at start + i / rate, whatever the previous ones took; a few
    # threads so one slow commit does not delay the next arrivals.
    total = int(rate * seconds)
    cpu_before = cpu_snapshot(procs, broker)
    window_start = timezone.now()
    start = time.perf_counter() + 0.1
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(create, range(total), (start + i / rate for i in range(total))))
    committed = {pk: at for pk, at, _ in results}
    behind = sum(1 for _, _, late in results if late > 0.05)
    offered = total / (time.perf_counter() - start)
    finished_sending = time.monotonic()
    done = processed_times(HANDLER)
    while any(k not in done for k in committed) and time.monotonic() - finished_sending < 60:
        time.sleep(0.2)
        done = processed_times(HANDLER)
    cpu_after = cpu_snapshot(procs, broker)
    procs.check()
    published = published_times()
    e2e = [(done[k] - t) * 1000 for k, t in committed.items() if k in done]
    relay = [(published[k] - t) * 1000 for k, t in committed.items() if k in published]
    span = max(done[k] for k in committed if k in done) - min(committed.values())
    print(
        f"offered {offered:.1f} complaints/s for {seconds:.0f}s ({total} complaints, "
        f"{behind} started >50 ms late); {len(e2e)}/{total} {HANDLER.rsplit('.', 1)[-1]} done "
        f"({len(e2e) / span:.1f}/s over the run)"
    )
    print(f"  commit -> published_at (relay):        {summary(relay)}")
    print(f"  commit -> notify_receipt processed_at: {summary(e2e)}")
    events = OutboxEvent.objects.filter(occurred_at__gte=window_start).count()
    print(
        f"  events through the pipeline: {events} ({events / span:.1f}/s from the first commit "
        f"to the last receipt; target: p99 < 500 ms at 100 events/s)"
    )
    cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    print(
        f"CPU seconds from the first create to the last receipt ({events} events): "
        + ", ".join(
            f"{k} {v:.1f}s ({v * 1000 / max(events, 1):.1f} ms/event)" for k, v in cpu.items()
        )
    )
    print(f"load average (1/5/15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=50, help="complaints per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=None, help="celery worker processes")
    parser.add_argument("--pool", default=None, help="celery worker pool (prefork, threads)")
    parser.add_argument("--agents", type=int, default=1, help="active agents triage picks from")
    parser.add_argument("--skip-relay", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from complaints_project.celery import app
    from events.dev_broker import DevBroker
    from events.kafka import ensure_topics

    ensure_database()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # Redis db of the benchmark only

    log_dir = Path(tempfile.mkdtemp(prefix="bench-events-"))
    print(f"process logs in {log_dir}")
    host, _, port = settings.KAFKA_BOOTSTRAP_SERVERS.rpartition(":")
    broker = DevBroker(host=host, port=int(port), log=log_dir / "tansu.log").start()
    procs = Procs(log_dir)
    try:
        ensure_topics(partitions=6, replication=1)
        settings.EVENTS_TOPIC = RELAY_TOPIC
        ensure_topics(partitions=6, replication=1)
        settings.EVENTS_TOPIC = os.environ.get("EVENTS_TOPIC", "complaints.events")
        if not args.skip_relay:
            throughput = bench_relay(procs, args.events)
            print(
                f"relay throughput (separate process, batch {settings.EVENTS_RELAY_BATCH_SIZE}): "
                f"{throughput:,.0f} events/s ({args.events} events)"
            )
        bench_latency(
            procs,
            args.rate,
            args.seconds,
            args.concurrency,
            args.pool,
            args.agents,
            broker=broker,
        )
    finally:
        procs.stop_all()
        broker.stop()


if __name__ == "__main__":
    main()
