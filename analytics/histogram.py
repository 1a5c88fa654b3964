"""Fixed, log-spaced duration buckets and percentiles computed from bucket counts.

A duration of ``s`` seconds falls in bucket ``i`` = the number of ``EDGES`` that are <= ``s``
(PostgreSQL's ``width_bucket(s, EDGES)``, Python's ``bisect_right``): bucket 0 is [0 s, 1 s)
(negative durations included), bucket ``i`` is [EDGES[i-1], EDGES[i]), the last one is open
above ``MAX_SECONDS``. The edges are whole seconds: every second up to ``EXACT_BELOW_SECONDS``,
then ``2 ** (k / 8)`` rounded, so each bucket is about 9 % wider than the previous one (about
250 buckets up to two years).

A percentile is computed like PostgreSQL's ``percentile_cont`` over the durations with each one
replaced by its bucket's representative value: the middle of the bucket (the geometric middle
from ``EXACT_BELOW_SECONDS`` up). Each
representative is within ``RELATIVE_ERROR`` of any duration in its bucket, or within
``ABSOLUTE_ERROR_SECONDS`` for durations under ``EXACT_BELOW_SECONDS``; the interpolation keeps
that bound, so a median or p90 is off by at most that much (durations above ``MAX_SECONDS``
count as ``MAX_SECONDS``). ``tests/analytics/test_histogram.py`` checks the bound.
"""

import math
from bisect import bisect_right
from collections.abc import Mapping

STEPS_PER_DOUBLING = 8
MAX_SECONDS = 2 * 366 * 24 * 3600
EXACT_BELOW_SECONDS = 60
EDGES: tuple[int, ...] = (
    *range(1, EXACT_BELOW_SECONDS + 1),
    *sorted(
        {
            edge
            for k in range(math.ceil(math.log2(MAX_SECONDS) * STEPS_PER_DOUBLING) + 1)
            if (edge := round(2 ** (k / STEPS_PER_DOUBLING))) > EXACT_BELOW_SECONDS
        }
    ),
)
RELATIVE_ERROR = 0.05
ABSOLUTE_ERROR_SECONDS = 0.5


def bucket_of(seconds: float) -> int:
    """The bucket of a duration (Python twin of the SQL ``width_bucket``; used by tests)."""
    return bisect_right(EDGES, seconds)


def representative(bucket: int) -> float:
    """The value that stands for every duration in ``bucket``."""
    if bucket <= 0:
        return ABSOLUTE_ERROR_SECONDS
    if bucket >= len(EDGES):
        return float(EDGES[-1])
    low, high = EDGES[bucket - 1], EDGES[bucket]
    if high <= EXACT_BELOW_SECONDS:
        return (low + high) / 2
    return math.sqrt(low * high)


def _value_at(ordered: list[tuple[int, int]], rank: int) -> float:
    """The representative of the ``rank``-th smallest duration (0-based)."""
    seen = 0
    for bucket, count in ordered:
        seen += count
        if rank < seen:
            return representative(bucket)
    return representative(ordered[-1][0])


def percentile(counts: Mapping[int, int], fraction: float) -> float | None:
    """``percentile_cont(fraction)`` of the durations counted per bucket; None if there are none."""
    ordered = sorted((bucket, n) for bucket, n in counts.items() if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return None
    position = fraction * (total - 1)
    low = math.floor(position)
    low_value = _value_at(ordered, low)
    if position == low:
        return low_value
    high_value = _value_at(ordered, low + 1)
    return low_value + (position - low) * (high_value - low_value)
