"""Complaint event handlers (run by ``events.handle_event``, one task per event) and the SLA beat.

The handlers are listed in ``complaints.events.HANDLERS`` under their ``module.function``
name. Each claims (event_id, handler name) with ``run_once`` in the transaction of its
effect, so a redelivered message or a re-run task does nothing the second time; it returns
False when skipped (already done, or nothing to do).
"""

from celery import shared_task

from complaints import events, notifications, sla, triage
from events.idempotency import run_once


def notify_receipt(envelope: dict) -> bool:
    return run_once(
        envelope, events.NOTIFY_RECEIPT, lambda e: notifications.send_receipt(e["aggregate_id"])
    )


def notify_status_changed(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_status_changed(
            e["aggregate_id"], p.get("from_status"), p.get("to_status"), p.get("actor_id")
        )

    return run_once(envelope, events.NOTIFY_STATUS_CHANGED, effect)


def notify_public_reply(envelope: dict) -> bool:
    if envelope["payload"].get("internal", True):
        return False  # internal notes never go to customers
    return run_once(
        envelope,
        events.NOTIFY_PUBLIC_REPLY,
        lambda e: notifications.send_public_reply(e["aggregate_id"], e["payload"]["comment_id"]),
    )


def notify_assigned(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_assigned(e["aggregate_id"], p.get("to_assignee_id"), p.get("actor_id"))

    return run_once(envelope, events.NOTIFY_ASSIGNED, effect)


def notify_sla_breached(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_sla_breached(e["aggregate_id"], p.get("clock"), p.get("due_at"))

    return run_once(envelope, events.NOTIFY_SLA_BREACHED, effect)


def notify_merged(envelope: dict) -> bool:
    def effect(e):
        p = e["payload"]
        notifications.send_merged(e["aggregate_id"], p["into_complaint_id"], p.get("actor_id"))

    return run_once(envelope, events.NOTIFY_MERGED, effect)


def notify_review_requested(envelope: dict) -> bool:
    return run_once(
        envelope,
        events.NOTIFY_REVIEW_REQUESTED,
        lambda e: notifications.send_review_requested(e["aggregate_id"]),
    )


def notify_review_concluded(envelope: dict) -> bool:
    return run_once(
        envelope,
        events.NOTIFY_REVIEW_CONCLUDED,
        lambda e: notifications.send_review_concluded(e["aggregate_id"]),
    )


def triage_complaint(envelope: dict) -> bool:
    return run_once(
        envelope, events.TRIAGE_COMPLAINT, lambda e: triage.triage_complaint(e["aggregate_id"])
    )


@shared_task(name="complaints.tasks.scan_sla_breaches", acks_late=True)
def scan_sla_breaches() -> dict:
    return sla.scan_breaches()
