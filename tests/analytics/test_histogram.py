"""Duration buckets: the documented error bound, and SQL and Python agree on every edge."""

import math
import random
from datetime import timedelta

import pytest
from django.db import connection

from analytics.histogram import (
    ABSOLUTE_ERROR_SECONDS,
    EDGES,
    EXACT_BELOW_SECONDS,
    MAX_SECONDS,
    RELATIVE_ERROR,
    bucket_of,
    percentile,
    representative,
)
from analytics.services import DurationBucket


def allowed_error(seconds: float) -> float:
    if seconds < EXACT_BELOW_SECONDS:
        return ABSOLUTE_ERROR_SECONDS
    return RELATIVE_ERROR * seconds


def test_every_representative_is_within_the_bound_of_its_bucket():
    assert tuple(sorted(set(EDGES))) == EDGES
    assert EDGES[-1] >= MAX_SECONDS
    for bucket in range(1, len(EDGES)):
        low, high = EDGES[bucket - 1], EDGES[bucket]
        value = representative(bucket)
        assert value - low <= allowed_error(low)
        assert high - value <= allowed_error(high)
    assert representative(0) - 0 <= ABSOLUTE_ERROR_SECONDS


def percentile_cont(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


@pytest.mark.parametrize("seed", range(20))
def test_percentiles_from_buckets_are_within_the_bound(seed):
    rng = random.Random(seed)
    values = [rng.lognormvariate(10, 2) for _ in range(rng.randint(1, 300))]
    values = [min(v, MAX_SECONDS) for v in values]
    counts: dict[int, int] = {}
    for value in values:
        counts[bucket_of(value)] = counts.get(bucket_of(value), 0) + 1
    for fraction in (0.5, 0.9):
        exact = percentile_cont(values, fraction)
        estimate = percentile(counts, fraction)
        assert estimate is not None
        assert abs(estimate - exact) <= max(RELATIVE_ERROR * exact, ABSOLUTE_ERROR_SECONDS)


def test_no_durations_no_percentile():
    assert percentile({}, 0.5) is None
    assert percentile({3: 0}, 0.5) is None


@pytest.mark.django_db
def test_sql_and_python_buckets_agree_on_the_edges():
    probes = [-5.0, 0.0, 0.5]
    for edge in EDGES:
        probes += [edge - 1e-6, float(edge), edge + 1e-6]
    sql = DurationBucket.template % {"expressions": "make_interval(secs => %s)"}
    with connection.cursor() as cursor:
        for seconds in probes:
            cursor.execute(f"SELECT {sql}", [seconds])
            assert cursor.fetchone()[0] == bucket_of(timedelta(seconds=seconds).total_seconds())
