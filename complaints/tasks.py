"""Celery tasks fed by the event consumer (one per handler) and the SLA beat.

Each event task claims (event_id, task name) in the transaction of its effect, so a
redelivered message or a re-run task does nothing the second time.
"""

from datetime import datetime

from celery import current_app, shared_task

from complaints import notifications, sla, triage
from events import dispatch
from events.idempotency import run_once

RETRYING = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 10,
}

# The analytics app's recompute task, by name (it may be deployed separately).
ANALYTICS_TASK_NAMES = ("analytics.refresh_daily_stats", "analytics.tasks.refresh_daily_stats")


@shared_task(name=dispatch.RECEIPT, **RETRYING)
def notify_receipt(self, envelope: dict) -> bool:
    return run_once(envelope, self.name, lambda e: notifications.send_receipt(e["aggregate_id"]))


@shared_task(name=dispatch.STATUS, **RETRYING)
def notify_status_changed(self, envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_status_changed(
            e["aggregate_id"], p.get("from_status"), p.get("to_status"), p.get("actor_id")
        )

    return run_once(envelope, self.name, effect)


@shared_task(name=dispatch.REPLY, **RETRYING)
def notify_public_reply(self, envelope: dict) -> bool:
    if envelope["payload"].get("internal", True):
        return False  # internal notes never go to customers
    return run_once(
        envelope,
        self.name,
        lambda e: notifications.send_public_reply(e["aggregate_id"], e["payload"]["comment_id"]),
    )


@shared_task(name=dispatch.ASSIGNED, **RETRYING)
def notify_assigned(self, envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_assigned(e["aggregate_id"], p.get("to_assignee_id"), p.get("actor_id"))

    return run_once(envelope, self.name, effect)


@shared_task(name=dispatch.SLA, **RETRYING)
def notify_sla_breached(self, envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_sla_breached(e["aggregate_id"], p.get("clock"), p.get("due_at"))

    return run_once(envelope, self.name, effect)


@shared_task(name=dispatch.TRIAGE, **RETRYING)
def triage_complaint(self, envelope: dict) -> bool:
    return run_once(envelope, self.name, lambda e: triage.triage_complaint(e["aggregate_id"]))


def analytics_task_name() -> str:
    for name in ANALYTICS_TASK_NAMES:
        if name in current_app.tasks:
            return name
    return ANALYTICS_TASK_NAMES[0]


@shared_task(name=dispatch.ANALYTICS, **RETRYING)
def refresh_analytics(self, envelope: dict) -> bool:
    """Ask the analytics app to recompute the day of the event (an idempotent recompute)."""
    day = datetime.fromisoformat(envelope["occurred_at"]).date().isoformat()
    return run_once(
        envelope, self.name, lambda e: current_app.send_task(analytics_task_name(), args=[day])
    )


@shared_task(name="complaints.tasks.scan_sla_breaches", acks_late=True)
def scan_sla_breaches() -> dict:
    return sla.scan_breaches()
