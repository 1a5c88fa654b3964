"""Complaint event handlers (run by ``events.handle_event``, one task per event) and the SLA beat.

The handlers are listed in ``complaints.events.HANDLERS`` under their ``module.function``
name. Each claims (event_id, handler name) with ``run_once`` in the transaction of its
effect, so a redelivered message or a re-run task does nothing the second time; it returns
False when skipped (already done). The notification handlers turn their event into a notice
of the notification matrix (``complaints.notifications``) and email its recipients.
"""

from functools import partial

from celery import shared_task

from complaints import events, notifications, sla, triage
from complaints.notification_matrix import Kind, Visibility
from complaints.search import search_statistics_refresh
from events.idempotency import run_once


def notify_receipt(envelope: dict) -> bool:
    return notifications.notify(
        envelope,
        handler=events.NOTIFY_RECEIPT,
        notice_for=partial(notifications.simple_notice, kind=Kind.RECEIVED),
    )


def notify_status_changed(envelope: dict) -> bool:
    return notifications.notify(
        envelope, handler=events.NOTIFY_STATUS_CHANGED, notice_for=notifications.status_notice
    )


def notify_commented(envelope: dict) -> bool:
    return notifications.notify(
        envelope, handler=events.NOTIFY_COMMENTED, notice_for=notifications.comment_notice
    )


def notify_attachment_added(envelope: dict) -> bool:
    return notifications.notify(
        envelope,
        handler=events.NOTIFY_ATTACHMENT_ADDED,
        notice_for=notifications.attachment_notice,
    )


def notify_assigned(envelope: dict) -> bool:
    return notifications.notify(
        envelope, handler=events.NOTIFY_ASSIGNED, notice_for=notifications.assigned_notice
    )


def notify_feedback_received(envelope: dict) -> bool:
    return notifications.notify(
        envelope,
        handler=events.NOTIFY_FEEDBACK,
        notice_for=partial(notifications.simple_notice, kind=Kind.FEEDBACK, context=("rating",)),
    )


def notify_sla_breached(envelope: dict) -> bool:
    return notifications.notify(
        envelope,
        handler=events.NOTIFY_SLA_BREACHED,
        notice_for=partial(
            notifications.simple_notice,
            kind=Kind.SLA_BREACHED,
            visibility=Visibility.INTERNAL,
            context=("clock", "due_at"),
        ),
    )


def triage_complaint(envelope: dict) -> bool:
    return run_once(
        envelope, events.TRIAGE_COMPLAINT, lambda e: triage.triage_complaint(e["aggregate_id"])
    )


@shared_task(name="complaints.tasks.scan_sla_breaches", acks_late=True)
def scan_sla_breaches() -> dict:
    return sla.scan_breaches()


@shared_task(name="complaints.tasks.refresh_search_statistics")
def refresh_search_statistics() -> int:
    """Re-read which search words are common (``complaints.search``); beat, every 10 min."""
    return search_statistics_refresh()
