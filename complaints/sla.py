"""SLA breach scan (Celery beat, every minute): stamp each breach once and announce it.

Due times are stored in business time (``complaints.sla_policy``), so "the due time has passed"
is "the SLA's business hours have run out"; a paused resolve clock is not scanned.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from complaints import events
from complaints.history import history_record
from complaints.models import Complaint, HistoryKind
from complaints.policies import ack_late_q, resolve_late_q

ACKNOWLEDGE = "acknowledge"
RESOLVE = "resolve"


def late_unstamped(clock: str, now: datetime) -> QuerySet[Complaint]:
    """Complaints whose ``clock`` has run out and is not stamped yet, oldest due first.

    Served by the partial indexes ``complaint_sla_{ack,resolve}_running`` (running clocks not
    yet stamped): a few rows, however many complaints the table holds.
    """
    if clock == ACKNOWLEDGE:
        return Complaint.objects.filter(ack_late_q(now), ack_breached_at__isnull=True).order_by(
            "ack_due_at"
        )
    return Complaint.objects.filter(resolve_late_q(now), resolve_breached_at__isnull=True).order_by(
        "resolve_due_at"
    )


def _breach(clock: str, now: datetime, limit: int) -> int:
    late = late_unstamped(clock, now)
    if clock == ACKNOWLEDGE:
        stamp, due = "ack_breached_at", "ack_due_at"
    else:
        stamp, due = "resolve_breached_at", "resolve_due_at"
    with transaction.atomic():
        # Rows a use case holds right now are skipped; the next scan gets them.
        complaints = list(late.select_for_update(skip_locked=True, of=("self",))[:limit])
        for complaint in complaints:
            setattr(complaint, stamp, now)
            complaint.save(update_fields=[stamp])
            history_record(
                complaint=complaint, actor=None, kind=HistoryKind.SLA_BREACHED, to_value=clock
            )
            events.emit_sla_breached(
                complaint=complaint, clock=clock, due_at=getattr(complaint, due)
            )
    return len(complaints)


def scan_breaches(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Mark complaints whose acknowledge/resolve clock has run out; each breach once."""
    now = now or timezone.now()
    return {ACKNOWLEDGE: _breach(ACKNOWLEDGE, now, limit), RESOLVE: _breach(RESOLVE, now, limit)}
