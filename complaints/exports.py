"""Complaint CSV export, streamed row by row (the admin's export actions use it).

Values that a spreadsheet would run as formulas are neutralised (CSV injection).
"""

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from complaints.models import Priority
from complaints.policies import complaint_overdue


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def export_rows(queryset, *, include_personal: bool, include_description: bool) -> Iterator[list]:
    header = [
        "reference",
        "title",
        "status",
        "priority",
        "category",
        "channel",
        "assignee_id",
        "customer_id",
        "created_at",
        "acknowledged_at",
        "resolved_at",
        "closed_at",
        "ack_due_at",
        "resolve_due_at",
        "overdue",
    ]
    if include_personal:
        header += ["customer_name", "customer_email"]
    if include_description:
        header += ["description"]
    yield header
    now = timezone.now()
    for c in queryset.iterator(chunk_size=2000):
        row = [
            c.reference,
            c.title,
            c.status,
            Priority(c.priority).label,
            c.category.name,
            c.channel,
            c.assignee_id or "",
            c.customer_id,
            c.created_at.isoformat(),
            c.acknowledged_at.isoformat() if c.acknowledged_at else "",
            c.resolved_at.isoformat() if c.resolved_at else "",
            c.closed_at.isoformat() if c.closed_at else "",
            c.ack_due_at.isoformat(),
            c.resolve_due_at.isoformat(),
            "yes" if complaint_overdue(c, now=now) else "no",
        ]
        if include_personal:
            row += [c.customer.full_name, c.customer.email]
        if include_description:
            row += [c.description]
        yield [_csv_safe(v) for v in row]


def stream_csv(queryset, *, include_personal: bool, include_description: bool, filename: str):
    writer = csv.writer(_Echo())
    rows = export_rows(
        queryset, include_personal=include_personal, include_description=include_description
    )
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
