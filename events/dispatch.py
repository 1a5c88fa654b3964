"""Which Celery tasks handle which event type. Tasks are addressed by name only."""

from events.models import EventType

RECEIPT = "complaints.tasks.notify_receipt"
STATUS = "complaints.tasks.notify_status_changed"
ASSIGNED = "complaints.tasks.notify_assigned"
REPLY = "complaints.tasks.notify_public_reply"
SLA = "complaints.tasks.notify_sla_breached"
TRIAGE = "complaints.tasks.triage_complaint"
ANALYTICS = "complaints.tasks.refresh_analytics"

HANDLERS: dict[str, tuple[str, ...]] = {
    EventType.CREATED: (RECEIPT, TRIAGE, ANALYTICS),
    EventType.STATUS_CHANGED: (STATUS, ANALYTICS),
    EventType.ASSIGNED: (ASSIGNED,),
    EventType.COMMENTED: (REPLY,),
    EventType.FEEDBACK_RECEIVED: (ANALYTICS,),
    EventType.SLA_BREACHED: (SLA,),
    EventType.UPDATED: (),
}


def handlers_for(event_type: str) -> tuple[str, ...]:
    return HANDLERS.get(event_type, ())


def hand_off(event, app=None) -> int:
    """Queue one Celery task per handler; raises if the Celery broker does not take them."""
    if app is None:
        from complaints_project.celery import app
    envelope = event.as_dict()
    names = handlers_for(event.type)
    for name in names:
        app.send_task(name, args=[envelope], task_id=f"{event.event_id}:{name.rsplit('.', 1)[-1]}")
    return len(names)
