"""Unread customer activity, per staff member: the queue's marker (in SQL and its Python twin).

A complaint has unread activity for a staff member when the customer did something shown in
the app (``Complaint.last_customer_activity_at``: the notices with the in-app channel of
``complaints.notification_matrix``) after that staff member last opened it
(``ComplaintSeen``, set by ``POST /api/complaints/{id}/seen/``), or, if they never opened
it, after it was filed. Each viewer has their own marker; customers have none (null).
"""

from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from complaints.models import Complaint, ComplaintSeen

UNREAD = "has_unread_activity"


def last_seen_at(viewer: Any) -> Subquery:
    """When ``viewer`` (a user id, or an expression standing for one) last opened the outer
    complaint: a correlated lookup on the (complaint, user) unique index, null if never."""
    seen = ComplaintSeen.objects.filter(complaint=OuterRef("pk"), user_id=viewer)
    return Subquery(seen.values("seen_at")[:1], output_field=DateTimeField())


def annotate_unread(qs: QuerySet[Complaint], *, viewer: User) -> QuerySet[Complaint]:
    """``qs`` with ``has_unread_activity`` for ``viewer``: one correlated lookup per row on the
    (complaint, user) unique index; apply it to a page's rows, never to the ordered scan."""
    if not viewer.is_handler:
        return qs.annotate(**{UNREAD: Value(None, output_field=BooleanField())})
    since = Coalesce(last_seen_at(viewer.pk), F("created_at"))
    return qs.annotate(
        **{
            UNREAD: Case(
                When(Q(last_customer_activity_at__gt=since), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        }
    )


def unread(
    *, last_customer_activity_at: datetime, created_at: datetime, seen_at: datetime | None
) -> bool:
    """The Python twin of ``annotate_unread``'s condition, from the complaint's two times and
    when the viewer last opened it."""
    return last_customer_activity_at > (seen_at or created_at)


def has_unread_activity(*, complaint: Complaint, viewer: User | None) -> bool | None:
    """The Python twin of ``annotate_unread`` for a loaded complaint (one query for staff)."""
    if viewer is None or not viewer.is_handler:
        return None
    seen: datetime | None = (
        ComplaintSeen.objects.filter(complaint=complaint, user=viewer)
        .values_list("seen_at", flat=True)
        .first()
    )
    return unread(
        last_customer_activity_at=complaint.last_customer_activity_at,
        created_at=complaint.created_at,
        seen_at=seen,
    )
