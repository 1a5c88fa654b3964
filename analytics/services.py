"""Keeping the stats aggregates equal to the complaints (see docs/analytics.md).

Every complaint has a ``ComplaintFact``: its share of every aggregate, computed in SQL from its
row (``facts_queryset``, the one definition of what counts where). ``sync_complaint`` moves one
complaint's share from its stored fact to its current one, in one transaction, with additive
upserts (``x = x + delta``): running it twice, or for events delivered out of order, changes
nothing more, and concurrent syncs of one complaint are serialised by an advisory lock.
``rebuild`` recomputes everything set-based (after a bulk load); ``reconcile`` (the beat's
safety net) finds the complaints whose stored fact differs from a fresh computation and syncs
them; ``recheck_due`` re-syncs the complaints whose SLA flags changed by time alone.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID

from django.db import connection, models, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Least, TruncDate
from django.utils import timezone

from analytics.histogram import EDGES
from analytics.models import (
    ComplaintCount,
    ComplaintFact,
    DailyComplaintStats,
    DailyDurationHistogram,
    DurationHistogram,
    DurationMetric,
)
from complaints.models import Complaint
from complaints.policies import ack_late_q, overdue_q, resolve_late_q
from complaints.workflow import FINISHED_STATUSES

# --------------------------------------------------------------------------- SLA outcome


def ack_breached_q(now: datetime) -> Q:
    """The acknowledge clock ran out: acknowledged late, flagged by the SLA scan, or still late."""
    return (
        Q(ack_breached_at__isnull=False) | Q(acknowledged_at__gt=F("ack_due_at")) | ack_late_q(now)
    )


def resolve_breached_q(now: datetime) -> Q:
    """The resolve clock ran out: resolved late, flagged by the SLA scan, or still open and late."""
    return (
        Q(resolve_breached_at__isnull=False)
        | Q(resolved_at__gt=F("resolve_due_at"))
        | resolve_late_q(now)
    )


def sla_decided_q(now: datetime) -> Q:
    """Complaints whose SLA outcome is known: finished, or a clock's due time has passed."""
    return (
        Q(status__in=FINISHED_STATUSES)
        | Q(ack_due_at__lt=now)
        | Q(resolve_due_at__lt=now)
        | Q(resolved_at__isnull=False)
    )


# --------------------------------------------------------------------------- facts


class DurationBucket(Func):
    """The ``analytics.histogram`` bucket of an interval (NULL stays NULL)."""

    template = (
        "width_bucket(EXTRACT(EPOCH FROM %(expressions)s), '{"
        + ",".join(str(edge) for edge in EDGES)
        + "}'::numeric[])"
    )
    output_field = IntegerField()


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=UTC)


def _due_from(field: str, now: datetime) -> Case:
    return Case(When(**{f"{field}__gte": now}, then=F(field)))


FACT_COLUMNS = (
    "status",
    "priority",
    "category_id",
    "created_day",
    "acknowledged_day",
    "acknowledge_bucket",
    "resolved_day",
    "resolve_bucket",
    "closed_day",
    "rating",
    "rated_day",
    "sla_decided",
    "sla_breached",
    "overdue",
    "recheck_at",
)
_PREFIX = "fact_"


def facts_queryset(now: datetime) -> QuerySet:
    """Every complaint's fact as of ``now``: ``fact_<column>`` values, plus ``fact_id``."""
    computed = {
        "id": F("id"),
        "status": F("status"),
        "priority": F("priority"),
        "category_id": F("category_id"),
        "created_day": _day("created_at"),
        "acknowledged_day": _day("acknowledged_at"),
        "acknowledge_bucket": DurationBucket(F("acknowledged_at") - F("created_at")),
        "resolved_day": _day("resolved_at"),
        "resolve_bucket": DurationBucket(F("resolved_at") - F("created_at")),
        "closed_day": _day("closed_at"),
        "rating": F("feedback__rating"),
        "rated_day": _day("feedback__created_at"),
        "sla_decided": _flag(sla_decided_q(now)),
        "sla_breached": _flag(ack_breached_q(now) | resolve_breached_q(now)),
        "overdue": _flag(overdue_q(now)),
        # The flags above change by time alone when a due time passes: the next one to pass.
        "recheck_at": Least(_due_from("ack_due_at", now), _due_from("resolve_due_at", now)),
    }
    return (
        Complaint.objects.annotate(**{_PREFIX + name: value for name, value in computed.items()})
        .values(*(_PREFIX + name for name in computed))
        .order_by()
    )


# Every event compiles the same one-complaint query: compiled once per process with stand-ins
# for its two inputs (an instant no caller uses, the nil UUID), which are swapped for the real
# ones in the parameters.
_ANY_NOW = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
_ANY_ID = UUID(int=0)


@cache
def _one_fact_sql() -> tuple[str, tuple[Any, ...]]:
    return facts_queryset(_ANY_NOW).filter(pk=_ANY_ID).query.sql_with_params()


def _fetch_fact(sql: str, params: list[Any], prefix: str = "") -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        values = dict(zip((column.name for column in cursor.description), row, strict=True))
    return {column: values[prefix + column] for column in FACT_COLUMNS}


def _current_fact(complaint_id: UUID | str, now: datetime) -> dict[str, Any] | None:
    """The complaint's fact as of ``now`` (None if it does not exist)."""
    sql, params = _one_fact_sql()
    target = UUID(str(complaint_id))
    bound = [now if p == _ANY_NOW else target if p == _ANY_ID else p for p in params]
    return _fetch_fact(sql, bound, _PREFIX)


def _stored_fact(complaint_id: UUID | str) -> dict[str, Any] | None:
    sql = (
        f"SELECT {', '.join(FACT_COLUMNS)} FROM {ComplaintFact._meta.db_table} "  # noqa: S608 - names from the models, values as parameters
        "WHERE complaint_id = %s"
    )
    return _fetch_fact(sql, [str(complaint_id)])


def _store_fact(complaint_id: UUID | str, fact: dict[str, Any] | None) -> None:
    table = ComplaintFact._meta.db_table
    with connection.cursor() as cursor:
        if fact is None:
            cursor.execute(f"DELETE FROM {table} WHERE complaint_id = %s", [str(complaint_id)])  # noqa: S608 - names from the models, values as parameters
            return
        updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in FACT_COLUMNS)
        cursor.execute(
            f"INSERT INTO {table} (complaint_id, {', '.join(FACT_COLUMNS)}) "  # noqa: S608 - names from the models, values as parameters
            f"VALUES (%s{', %s' * len(FACT_COLUMNS)}) "
            f"ON CONFLICT (complaint_id) DO UPDATE SET {updates}",
            [str(complaint_id), *(fact[column] for column in FACT_COLUMNS)],
        )


# --------------------------------------------------------------------------- shares


@dataclass(frozen=True)
class Aggregate:
    """An aggregate table: its key columns and the counters added up over the facts."""

    model: type[models.Model]
    keys: tuple[str, ...]
    counters: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


COUNTS = Aggregate(
    ComplaintCount,
    ("status", "priority", "category_id"),
    ("complaints", "sla_decided", "sla_breached", "overdue"),
)
RATINGS = range(1, 6)
DAILY = Aggregate(
    DailyComplaintStats,
    ("day",),
    (
        "created",
        "acknowledged",
        "resolved",
        "closed",
        "sla_breached",
        *(f"rating_{r}" for r in RATINGS),
    ),
)
HISTOGRAM = Aggregate(DurationHistogram, ("metric", "bucket"), ("complaints",))
DAILY_HISTOGRAM = Aggregate(DailyDurationHistogram, ("day", "metric", "bucket"), ("complaints",))
# Upserts in this fixed order (and sorted keys inside each) so concurrent syncs cannot deadlock.
AGGREGATES = (COUNTS, DAILY, HISTOGRAM, DAILY_HISTOGRAM)


@dataclass(frozen=True)
class DailyShare:
    """A fact adds one to ``counter`` on the day in ``day`` if ``when`` holds."""

    day: str
    counter: str
    when: tuple[str, Any] | None = None  # (fact column, required value)


DAILY_SHARES = (
    DailyShare("created_day", "created"),
    DailyShare("created_day", "sla_breached", ("sla_breached", True)),
    DailyShare("acknowledged_day", "acknowledged"),
    DailyShare("resolved_day", "resolved"),
    DailyShare("closed_day", "closed"),
    *(DailyShare("rated_day", f"rating_{r}", ("rating", r)) for r in RATINGS),
)
# (metric, day column, bucket column): a fact adds one to its bucket, overall and on the day.
HISTOGRAM_SHARES = (
    (DurationMetric.ACKNOWLEDGE.value, "acknowledged_day", "acknowledge_bucket"),
    (DurationMetric.RESOLVE.value, "resolved_day", "resolve_bucket"),
)
COUNT_FLAGS = ("sla_decided", "sla_breached", "overdue")

Shares = dict[tuple[Aggregate, tuple[Any, ...]], Counter[str]]


def shares(fact: Mapping[str, Any] | None) -> Shares:
    """What one fact adds to each aggregate row: {(aggregate, key): {counter: n}}."""
    result: Shares = defaultdict(Counter)
    if fact is None:
        return result
    count = result[(COUNTS, (fact["status"], fact["priority"], fact["category_id"]))]
    count["complaints"] += 1
    for flag in COUNT_FLAGS:
        count[flag] += int(bool(fact[flag]))
    for share in DAILY_SHARES:
        day = fact[share.day]
        if day is not None and (share.when is None or fact[share.when[0]] == share.when[1]):
            result[(DAILY, (day,))][share.counter] += 1
    for metric, day_column, bucket_column in HISTOGRAM_SHARES:
        day, bucket = fact[day_column], fact[bucket_column]
        if day is not None:
            result[(HISTOGRAM, (metric, bucket))]["complaints"] += 1
            result[(DAILY_HISTOGRAM, (day, metric, bucket))]["complaints"] += 1
    return result


def _difference(old: Shares, new: Shares) -> Shares:
    result: Shares = {}
    for row in old.keys() | new.keys():
        delta = Counter(new.get(row, Counter()))
        delta.subtract(old.get(row, Counter()))
        changed = Counter({counter: n for counter, n in delta.items() if n})
        if changed:
            result[row] = changed
    return result


def _upsert(aggregate: Aggregate, rows: list[tuple[tuple[Any, ...], Counter[str]]]) -> None:
    """Add the deltas to the rows (created at zero when missing): ``x = x + EXCLUDED.x``."""
    columns = (*aggregate.keys, *aggregate.counters)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list[Any] = []
    for key, delta in rows:
        params += [*key, *(delta.get(counter, 0) for counter in aggregate.counters)]
    updates = ", ".join(f"{c} = {aggregate.table}.{c} + EXCLUDED.{c}" for c in aggregate.counters)
    sql = (
        f"INSERT INTO {aggregate.table} ({', '.join(columns)}) "  # noqa: S608 - names from the models, values as parameters
        f"VALUES {', '.join([placeholder] * len(rows))} "
        f"ON CONFLICT ({', '.join(aggregate.keys)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _apply(deltas: Shares) -> None:
    for aggregate in AGGREGATES:
        rows = sorted(
            ((key, delta) for (target, key), delta in deltas.items() if target is aggregate),
            key=lambda row: row[0],
        )
        if rows:
            _upsert(aggregate, rows)


# --------------------------------------------------------------------------- sync


REBUILD_LOCK = "analytics:rebuild"


def _advisory_lock(function: str, name: str) -> None:
    """Take a transaction-scoped advisory lock (``function``) named ``name``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtextextended(%s, 0))", [name])


def _hold_rebuild_lock(*, exclusive: bool) -> None:
    """Syncs and the reconcile's comparison share the rebuild lock, a rebuild holds it alone:
    whatever reads the facts after waiting for a rebuild sees its result."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    _advisory_lock(function, REBUILD_LOCK)


@transaction.atomic
def sync_complaint(complaint_id: UUID | str, *, now: datetime | None = None) -> bool:
    """Make the aggregates count the complaint as it is now; True if a figure changed.

    Idempotent and order-free: it compares the stored fact with the complaint's current row,
    whatever event (or none) led here. A deleted complaint's share is taken back.
    """
    now = now or timezone.now()
    _hold_rebuild_lock(exclusive=False)
    # One sync per complaint at a time (its fact may not exist yet: no row to lock).
    _advisory_lock("pg_advisory_xact_lock", f"analytics:fact:{complaint_id}")
    old = _stored_fact(complaint_id)
    new = _current_fact(complaint_id, now)
    if old == new:
        return False
    deltas = _difference(shares(old), shares(new))
    _apply(deltas)
    _store_fact(complaint_id, new)
    return bool(deltas)


def recheck_due(*, now: datetime | None = None, batch: int = 500, limit: int = 5000) -> int:
    """Re-sync the complaints whose SLA flags may have changed since (a due time passed)."""
    now = now or timezone.now()
    done = 0
    while done < limit:
        due = list(
            ComplaintFact.objects.filter(recheck_at__lt=now)
            .order_by("recheck_at")
            .values_list("complaint_id", flat=True)[:batch]
        )
        for complaint_id in due:
            sync_complaint(complaint_id, now=now)
        done += len(due)
        if len(due) < batch:
            break
    return done


# --------------------------------------------------------------------------- rebuild


def _facts_sql(now: datetime) -> tuple[str, tuple[Any, ...]]:
    return facts_queryset(now).query.sql_with_params()


def _rebuild_counts_sql() -> str:
    flags = ", ".join(f"COUNT(*) FILTER (WHERE {flag})" for flag in COUNT_FLAGS)
    keys = ", ".join(COUNTS.keys)
    return (
        f"INSERT INTO {COUNTS.table} ({keys}, {', '.join(COUNTS.counters)}) "  # noqa: S608 - names from the models, values as parameters
        f"SELECT {keys}, COUNT(*), {flags} FROM {ComplaintFact._meta.db_table} GROUP BY {keys}"
    )


def _rebuild_daily_sql() -> tuple[str, list[Any]]:
    facts = ComplaintFact._meta.db_table
    branches, params = [], []
    for share in DAILY_SHARES:
        ones = ", ".join(
            f"{int(counter == share.counter)} AS {counter}" for counter in DAILY.counters
        )
        where = f"{share.day} IS NOT NULL"
        if share.when is not None:
            where += f" AND {share.when[0]} = %s"
            params.append(share.when[1])
        branches.append(f"SELECT {share.day} AS day, {ones} FROM {facts} WHERE {where}")  # noqa: S608 - names from the models, values as parameters
    sums = ", ".join(f"SUM({counter})" for counter in DAILY.counters)
    sql = (
        f"INSERT INTO {DAILY.table} (day, {', '.join(DAILY.counters)}) "  # noqa: S608 - names from the models, values as parameters
        f"SELECT day, {sums} FROM ({' UNION ALL '.join(branches)}) AS shares GROUP BY day"
    )
    return sql, params


def _rebuild_histograms_sql() -> tuple[list[str], list[Any]]:
    facts = ComplaintFact._meta.db_table
    branches, params = [], []
    for metric, day_column, bucket_column in HISTOGRAM_SHARES:
        branches.append(
            f"SELECT {day_column} AS day, %s AS metric, {bucket_column} AS bucket, COUNT(*) AS n "  # noqa: S608 - names from the models, values as parameters
            f"FROM {facts} WHERE {day_column} IS NOT NULL GROUP BY {day_column}, {bucket_column}"
        )
        params.append(metric)
    daily = (
        f"INSERT INTO {DAILY_HISTOGRAM.table} (day, metric, bucket, complaints) "
        f"{' UNION ALL '.join(branches)}"
    )
    overall = (
        f"INSERT INTO {HISTOGRAM.table} (metric, bucket, complaints) "  # noqa: S608 - names from the models, values as parameters
        f"SELECT metric, bucket, SUM(complaints) FROM {DAILY_HISTOGRAM.table} "
        "GROUP BY metric, bucket"
    )
    return [daily, overall], params


@transaction.atomic
def rebuild(*, now: datetime | None = None) -> int:
    """Recompute every fact and aggregate from the complaints, set-based; returns the facts.

    Syncs wait for it (the rebuild lock) and then see its result; stats readers keep reading
    the previous figures until it commits.
    """
    now = now or timezone.now()
    _hold_rebuild_lock(exclusive=True)
    facts = ComplaintFact._meta.db_table
    select, select_params = _facts_sql(now)
    columns = ", ".join(FACT_COLUMNS)
    computed = ", ".join(f'"{_PREFIX}{column}"' for column in FACT_COLUMNS)
    daily, daily_params = _rebuild_daily_sql()
    histograms, histogram_params = _rebuild_histograms_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {facts}")
        cursor.execute(
            f'INSERT INTO {facts} (complaint_id, {columns}) SELECT "{_PREFIX}id", {computed} '  # noqa: S608 - names from the models, values as parameters
            f"FROM ({select}) AS computed",
            select_params,
        )
        written = cursor.rowcount
        for aggregate in AGGREGATES:
            cursor.execute(f"DELETE FROM {aggregate.table}")  # noqa: S608 - names from the models, values as parameters
        cursor.execute(_rebuild_counts_sql())
        cursor.execute(daily, daily_params)
        cursor.execute(histograms[0], histogram_params)
        cursor.execute(histograms[1])
        for table in (facts, *(aggregate.table for aggregate in AGGREGATES)):
            cursor.execute(f"ANALYZE {table}")
    return written


# --------------------------------------------------------------------------- safety net


def stale_facts(*, now: datetime, limit: int) -> list[str]:
    """Complaints whose stored fact differs from a fresh computation (or is missing or left
    over), at most ``limit``; one comparison over both tables."""
    facts = ComplaintFact._meta.db_table
    select, params = _facts_sql(now)
    compared = [column for column in FACT_COLUMNS if column != "recheck_at"]
    differs = " OR ".join(
        f'computed."{_PREFIX}{column}" IS DISTINCT FROM stored.{column}' for column in compared
    )
    sql = (
        f'SELECT COALESCE(computed."{_PREFIX}id", stored.complaint_id) '  # noqa: S608 - names from the models, values as parameters
        f"FROM ({select}) AS computed FULL JOIN {facts} AS stored "
        f'ON stored.complaint_id = computed."{_PREFIX}id" '
        f'WHERE computed."{_PREFIX}id" IS NULL OR stored.complaint_id IS NULL OR {differs} '
        "LIMIT %s"
    )
    with transaction.atomic():
        _hold_rebuild_lock(exclusive=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [str(row[0]) for row in cursor.fetchall()]


def reconcile(*, now: datetime | None = None, rebuild_above: int = 10_000) -> dict[str, int]:
    """Repair whatever the handlers missed: sync each stale complaint, or rebuild when many are
    (a fresh deployment, a bulk load without ``rebuild_stats``)."""
    now = now or timezone.now()
    stale = stale_facts(now=now, limit=rebuild_above + 1)
    if len(stale) > rebuild_above:
        return {"stale": len(stale), "rebuilt": rebuild(now=now)}
    for complaint_id in stale:
        sync_complaint(complaint_id, now=now)
    return {"stale": len(stale), "rebuilt": 0}
