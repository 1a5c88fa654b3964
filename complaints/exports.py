"""Complaint CSV export, streamed row by row (the admin's export actions use it).

One query whatever the number of rows: ``export_queryset`` joins what the columns read (the
category, the assignee, the customer when their personal data is exported, the rating).
Values that a spreadsheet would run as formulas are neutralised (CSV injection).
"""

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from complaints.models import Channel, Complaint, Priority
from complaints.policies import ack_outcome, complaint_overdue, resolve_outcome
from complaints.workflow import Status

HEADER = [
    "reference",
    "title",
    "status",
    "priority",
    "category",
    "channel",
    "assignee_id",
    "assignee",
    "customer_id",
    "created_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "overdue",
    "acknowledge_sla",
    "resolve_sla",
    "resolution",
    "rejection_reason",
    "rating",
]
PERSONAL_HEADER = ["customer_name", "customer_email"]


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def export_queryset(
    queryset: QuerySet[Complaint], *, include_personal: bool, include_description: bool
) -> QuerySet[Complaint]:
    """``queryset`` with everything the rows read joined in, newest first. Whatever the caller
    deferred is loaded again (the resolution is a column); only the description is left out
    unless asked for."""
    related = ["category", "assignee", *(["customer"] if include_personal else [])]
    qs = queryset.defer(None).select_related(*related).annotate(rating=F("feedback__rating"))
    if not include_description:
        qs = qs.defer("description")
    return qs.order_by("-created_at", "id")


def _row(c: Any, *, now: datetime) -> list[Any]:
    return [
        c.reference,
        c.title,
        Status(c.status).label,
        Priority(c.priority).label,
        c.category.name,
        Channel(c.channel).label,
        c.assignee_id or "",
        c.assignee.display_name if c.assignee is not None else "",
        c.customer_id,
        _iso(c.created_at),
        _iso(c.acknowledged_at),
        _iso(c.resolved_at),
        _iso(c.closed_at),
        _iso(c.ack_due_at),
        _iso(c.resolve_due_at),
        "yes" if complaint_overdue(c, now=now) else "no",
        ack_outcome(c, now=now),
        resolve_outcome(c, now=now),
        c.resolution,
        c.rejection_reason,
        c.rating or "",
    ]


def export_rows(
    queryset: QuerySet[Complaint], *, include_personal: bool, include_description: bool
) -> Iterator[list]:
    """The header, then a row per complaint of ``queryset`` (from ``export_queryset``)."""
    header = HEADER + (PERSONAL_HEADER if include_personal else [])
    yield header + (["description"] if include_description else [])
    now = timezone.now()
    for c in queryset.iterator(chunk_size=2000):
        row = _row(c, now=now)
        if include_personal:
            row += [c.customer.full_name, c.customer.email]
        if include_description:
            row += [c.description]
        yield [_csv_safe(v) for v in row]


def stream_csv(
    queryset: QuerySet[Complaint],
    *,
    include_personal: bool,
    include_description: bool,
    filename: str,
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    qs = export_queryset(
        queryset, include_personal=include_personal, include_description=include_description
    )
    rows = export_rows(
        qs, include_personal=include_personal, include_description=include_description
    )
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
