"""Prometheus figures of the event pipeline, computed when Prometheus scrapes.

Read from the outbox table and the broker through the readiness checks (events/health.py, whose
Kafka round trips are cached and bounded), so a scrape costs two small queries and at most one
broker round trip every few seconds. Served by complaints_project/metrics.py.
"""

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from events.health import check_consumer_lag, check_kafka, check_outbox
from events.models import OutboxEvent

logger = logging.getLogger(__name__)

NAN = float("nan")


def _safely(check) -> tuple[bool, dict]:
    try:
        return check()
    except Exception:  # noqa: BLE001 - a scrape reports what it can
        logger.warning("pipeline metric unavailable: %s", check.__name__, exc_info=True)
        return False, {}


class PipelineCollector:
    def collect(self) -> Iterator[Metric]:
        outbox_ok, outbox = _safely(check_outbox)
        yield GaugeMetricFamily(
            "complaints_outbox_pending_events",
            "Outbox events not yet published to Kafka.",
            value=outbox.get("pending", NAN),
        )
        yield GaugeMetricFamily(
            "complaints_outbox_oldest_pending_seconds",
            "Age of the oldest unpublished outbox event (0 when none waits): the relay's lag.",
            value=outbox.get("oldest_pending_seconds", NAN),
        )
        yield GaugeMetricFamily(
            "complaints_outbox_retrying_events",
            "Unpublished outbox events whose publication failed at least once.",
            value=_retrying(),
        )
        lag_ok, lag = _safely(check_consumer_lag)
        yield GaugeMetricFamily(
            "complaints_consumer_lag_events",
            "Events on the topic not yet committed by the consumer group.",
            value=lag.get("lag", NAN),
        )
        kafka_ok, _ = _safely(check_kafka)
        checks = GaugeMetricFamily(
            "complaints_pipeline_check_ok",
            "1 when the pipeline's readiness check passes, else 0.",
            labels=["check"],
        )
        for name, ok in (("outbox", outbox_ok), ("consumer_lag", lag_ok), ("kafka", kafka_ok)):
            checks.add_metric([name], 1.0 if ok else 0.0)
        yield checks


def _retrying() -> float:
    try:
        return OutboxEvent.objects.filter(published_at__isnull=True, attempts__gt=0).count()
    except Exception:  # noqa: BLE001 - a scrape reports what it can
        logger.warning("pipeline metric unavailable: retrying events", exc_info=True)
        return NAN
