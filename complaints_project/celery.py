import os

from celery import Celery

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
}
