import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_project.settings")

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
