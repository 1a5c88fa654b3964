import logging
import os
import shutil
from pathlib import Path

from celery import Celery
from celery.signals import (
    beat_init,
    task_failure,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_shutdown,
)
from prometheus_client import REGISTRY, CollectorRegistry, Counter, start_http_server
from prometheus_client import multiprocess as prometheus_multiprocess

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_project.settings")

logger = logging.getLogger(__name__)

app = Celery("complaints_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Stamps each SLA breach once and emits complaint.sla_breached (see complaints/sla.py).
    "complaints-sla-scan": {
        "task": "complaints.tasks.scan_sla_breaches",
        "schedule": float(os.environ.get("SLA_SCAN_SECONDS", "60")),
        "options": {"expires": 55},
    },
    # Which search words are common enough to be checked on rows, not read from the GIN
    # index (complaints/search.py): from the statistics autovacuum keeps.
    "complaints-search-statistics": {
        "task": "complaints.tasks.refresh_search_statistics",
        "schedule": float(os.environ.get("SEARCH_STATISTICS_SECONDS", "600")),
        "options": {"expires": 300},
    },
    # Deletes published outbox rows and processed-event rows past their retention, in short
    # batches (events/retention.py).
    "events-purge-event-tables": {
        "task": "events.purge_event_tables",
        "schedule": float(os.environ.get("EVENTS_RETENTION_SECONDS", "3600")),
        "options": {"expires": 1800},
    },
    # Safety net for the debounced per-event recompute (analytics/handlers.py): events that
    # found a recompute queued skip without a claim, so a lost recompute is redone here.
    "analytics-refresh-recent-days": {
        "task": "analytics.refresh_recent_days",
        "schedule": float(os.environ.get("ANALYTICS_REFRESH_SECONDS", "900")),
        "options": {"expires": 600},
    },
}


@task_prerun.connect
@task_postrun.connect
def close_old_db_connections(sender=None, **kwargs) -> None:
    """Treat each task like a request: keep the connection while CONN_MAX_AGE allows.

    Closes connections that are too old, broke, or were left in a transaction; the others
    are reused (health-checked first when CONN_HEALTH_CHECKS). Eager tasks run inside the
    caller's connection and transaction: left alone. See CELERY_DB_REUSE_MAX in settings.
    """
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


# Metrics of the worker. Prefork children count into PROMETHEUS_MULTIPROC_DIR; the worker's main
# process serves their sum on WORKER_METRICS_PORT (settings), scraped by Prometheus.
TASKS = Counter(
    "complaints_celery_tasks_total", "Celery tasks run, by final state.", ["task", "state"]
)
TASK_FAILURES = Counter(
    "complaints_celery_task_failures_total", "Celery tasks that raised, by task.", ["task"]
)


@task_postrun.connect
def count_task(sender=None, state=None, **kwargs) -> None:
    if sender is not None and not getattr(sender.request, "is_eager", False):
        TASKS.labels(sender.name, state or "UNKNOWN").inc()


@task_failure.connect
def count_task_failure(sender=None, **kwargs) -> None:
    if sender is not None:
        TASK_FAILURES.labels(sender.name).inc()


@worker_init.connect
def serve_worker_metrics(**kwargs) -> None:
    from django.conf import settings

    if not settings.WORKER_METRICS_PORT:
        return
    registry = REGISTRY
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        # Samples of a previous run are not this run's: start from an empty directory.
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    start_http_server(settings.WORKER_METRICS_PORT, registry=registry)
    logger.info("worker metrics on port %s", settings.WORKER_METRICS_PORT)


@worker_process_shutdown.connect
def forget_dead_worker_process(pid=None, **kwargs) -> None:
    if pid and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prometheus_multiprocess.mark_process_dead(pid)


@beat_init.connect
def hold_single_beat_lock(sender=None, **kwargs) -> None:
    """Schedule only while holding the beat lock (complaints_project/beat_lock.py)."""
    import atexit

    from django.conf import settings

    from complaints_project.beat_lock import BeatLock, stop_this_process

    lock = BeatLock(settings.CELERY_BROKER_URL)
    lock.acquire()
    atexit.register(lock.release)
    lock.keep_renewing(on_lost=stop_this_process)
