"""Prometheus metrics of the Django processes, and the ``/metrics`` endpoint that serves them.

Requests (rates, latencies, statuses by view) come from django-prometheus' middleware; this
module adds the time spent in the database, per query and per request. Under gunicorn (several
worker processes) every process writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and a scrape
adds them up (complaints_project/gunicorn_conf.py clears the directory at start). The event
pipeline's figures are computed at scrape time (events/metrics.py).

``/metrics`` (MetricsEndpointMiddleware) is not routed by Kong: only the monitoring network
reaches it.
"""

import logging
import os
import time
from contextvars import ContextVar

from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

DB_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

DB_QUERY_SECONDS = Histogram(
    "complaints_db_query_duration_seconds",
    "Time of one database query (every process: api, worker, relay, consumer).",
    ["alias"],
    buckets=DB_SECONDS_BUCKETS,
)
REQUEST_DB_SECONDS = Histogram(
    "complaints_http_request_db_seconds",
    "Database time of one HTTP request, by view.",
    ["view"],
    buckets=DB_SECONDS_BUCKETS,
)

_request_db_seconds: ContextVar[list[float] | None] = ContextVar("request_db_seconds", default=None)


def _timed_query(alias: str):
    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            DB_QUERY_SECONDS.labels(alias).observe(elapsed)
            total = _request_db_seconds.get()
            if total is not None:
                total[0] += elapsed

    wrapper.complaints_metrics = True
    return wrapper


def _on_connection_created(sender, connection, **kwargs) -> None:
    # The wrapper list belongs to the connection object, which outlives reconnects.
    if not any(getattr(w, "complaints_metrics", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_timed_query(connection.alias))


def instrument_database_connections() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="complaints_metrics_db")


class DatabaseTimeMiddleware:
    """Adds up the database time of each request into REQUEST_DB_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        total = [0.0]
        token = _request_db_seconds.set(total)
        try:
            return self.get_response(request)
        finally:
            _request_db_seconds.reset(token)
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match else "<unresolved>"
            REQUEST_DB_SECONDS.labels(view).observe(total[0])


class CeleryQueueCollector:
    """Tasks waiting in the Celery broker (Redis list ``celery``), read at scrape time."""

    def collect(self):
        from complaints_project.celery import app

        gauge = GaugeMetricFamily(
            "complaints_celery_queue_length", "Tasks waiting in the Celery queue."
        )
        try:
            with app.connection_for_read() as conn:
                gauge.add_metric([], conn.default_channel.client.llen("celery"))
        except Exception:  # noqa: BLE001 - a scrape reports what it can
            logger.warning("celery queue length unavailable", exc_info=True)
            gauge.add_metric([], float("nan"))
        yield gauge


def _process_metrics() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def scrape_time_metrics() -> bytes:
    from events.metrics import PipelineCollector

    registry = CollectorRegistry(auto_describe=False)
    registry.register(PipelineCollector())
    registry.register(CeleryQueueCollector())
    return generate_latest(registry)


@never_cache
@require_GET
def metrics_view(request):
    return HttpResponse(
        _process_metrics() + scrape_time_metrics(), content_type=CONTENT_TYPE_LATEST
    )


class MetricsEndpointMiddleware:
    """Answers ``/metrics`` first, before the Host header is validated.

    Prometheus scrapes each api replica by its IP address (docker/prometheus/prometheus.yml),
    which ALLOWED_HOSTS cannot list. Kong never routes this path.
    """

    path = "/metrics"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.path:
            return metrics_view(request)
        return self.get_response(request)
