"""The SLA scan stamps each breach once, emits it, and the handler tells the supervisors."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from complaints import tasks
from complaints.models import HistoryEntry, HistoryKind
from complaints.sla import ACKNOWLEDGE, RESOLVE, late_unstamped, scan_breaches
from complaints.workflow import Status
from events.models import OutboxEvent
from tests.helpers.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sla_scan_stamps_each_breach_once(mailoutbox):
    now = timezone.now()
    late_ack = ComplaintFactory.create(ack_due_at=now - timedelta(minutes=5))
    late_resolve = ComplaintFactory.create(
        status=Status.IN_PROGRESS,
        acknowledged_at=now - timedelta(days=3),
        resolve_due_at=now - timedelta(minutes=1),
    )
    ComplaintFactory.create()  # on time
    ComplaintFactory.create(
        status=Status.RESOLVED,
        resolve_due_at=now - timedelta(days=1),
        acknowledged_at=now - timedelta(days=3),
        ack_due_at=now - timedelta(days=2),
    )

    assert scan_breaches(now=now) == {"acknowledge": 1, "resolve": 1}
    assert scan_breaches(now=now + timedelta(minutes=1)) == {"acknowledge": 0, "resolve": 0}
    late_ack.refresh_from_db()
    late_resolve.refresh_from_db()
    assert late_ack.ack_breached_at == now
    assert late_resolve.resolve_breached_at == now
    assert HistoryEntry.objects.filter(kind=HistoryKind.SLA_BREACHED).count() == 2
    events = OutboxEvent.objects.filter(type="complaint.sla_breached").order_by("id")
    assert [(e.payload["clock"], e.payload["actor_id"]) for e in events] == [
        ("acknowledge", None),
        ("resolve", None),
    ]
    assert events[0].payload["due_at"] == late_ack.ack_due_at.isoformat()

    supervisor = UserFactory.create(role=Role.SUPERVISOR)
    UserFactory.create(role=Role.AGENT)
    envelope = {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.sla_breached",
        "schema_version": 1,
        "occurred_at": now.isoformat(),
        "aggregate_id": str(late_ack.pk),
        "payload": {"clock": "acknowledge", "due_at": None},
    }
    tasks.notify_sla_breached(envelope)
    tasks.notify_sla_breached(envelope)
    assert [m.to for m in mailoutbox] == [[supervisor.email]]
    assert late_ack.reference in mailoutbox[0].subject


@pytest.mark.parametrize(
    ("clock", "index"),
    [(ACKNOWLEDGE, "complaint_sla_ack_running"), (RESOLVE, "complaint_sla_resolve_running")],
)
def test_the_scan_reads_only_the_running_clocks_index(clock, index):
    ComplaintFactory.create()
    sql, params = late_unstamped(clock, timezone.now())[:500].query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny test table: make everything but an index-ordered scan look expensive.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
