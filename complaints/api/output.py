"""The complaint list and detail bodies, built from the selectors' plain rows.

``ComplaintListOutSerializer`` / ``ComplaintOutSerializer`` declare these bodies (the OpenAPI
schema) and remain the reference implementation; the functions here produce exactly the same
keys and values (``tests/complaints/api/test_output.py`` holds them equal, and their keys equal
to the schema's properties) from ``selectors.LIST_VALUES`` / ``DETAIL_VALUES`` rows, without
building model instances or running DRF fields per value. Measured (CPU, a page of 25 at 100k
complaints): the serializer 2.5 ms (0.1 ms per row) on model instances that took another
~2 ms to build with their joined relations; these functions 0.48 ms on ``values()`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.roles import person_display_name
from complaints.models import Priority
from complaints.policies import (
    Capabilities,
    StateValues,
    is_overdue,
    referrals_shown,
    remedy_outcome_required,
    state_capabilities,
)
from complaints.read_activity import unread
from complaints.selectors import LIST_DATETIMES
from complaints.visibility import customers_complaint_is_visible

PRIORITY_NAMES = {p.value: p.label for p in Priority}


def _datetime(value: datetime | None, tz: tzinfo) -> str | None:
    """DRF's ``DateTimeField`` output: ISO 8601 in the current time zone, UTC as ``Z``."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _person(person_id: Any, full_name: str | None, role: str) -> dict[str, Any] | None:
    if person_id is None:
        return None
    return {
        "id": str(person_id),
        "full_name": full_name,
        "display_name": person_display_name(full_name=full_name, role=role),
    }


def _state(row: dict[str, Any]) -> StateValues:
    return StateValues(
        status=row["status"],
        customer_id=row["customer_id"],
        assignee_id=row["assignee_id"],
        resolved_at=row["resolved_at"],
        acknowledged_at=row["acknowledged_at"],
        ack_due_at=row["ack_due_at"],
        resolve_due_at=row["resolve_due_at"],
        review_requested_at=row["review_requested_at"],
        review_concluded_at=row["review_concluded_at"],
    )


def _complaint_body(
    row: dict[str, Any],
    state: StateValues,
    capabilities: Capabilities,
    *,
    user: User,
    now: datetime,
    tz: tzinfo,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row["id"]),
        "reference": row["reference"],
        "title": row["title"],
        "rejection_reason": row["rejection_reason"],
        "status": row["status"],
        "priority": PRIORITY_NAMES[row["priority"]],
        "channel": row["channel"],
        "category": {
            "id": row["category_id"],
            "name": row["category__name"],
            "slug": row["category__slug"],
        },
        "customer": _person(row["customer_id"], row["customer_name"], row["customer_role"]),
        "assignee": _person(row["assignee_id"], row["assignee_name"], row["assignee_role"]),
    }
    for name in LIST_DATETIMES:
        body[name] = _datetime(row[name], tz)
    body["has_unread_activity"] = (
        unread(
            last_customer_activity_at=row["last_customer_activity_at"],
            created_at=row["created_at"],
            seen_at=row["viewer_seen_at"],
        )
        if user.is_handler
        else None
    )
    body["is_overdue"] = is_overdue(state, now=now)
    body["feedback"] = (
        {
            "rating": row["feedback__rating"],
            "comment": row["feedback__comment"],
            "created_at": _datetime(row["feedback__created_at"], tz),
        }
        if row["feedback__rating"] is not None
        else None
    )
    body.update(capabilities.as_dict())
    return body


def _capabilities(
    row: dict[str, Any], state: StateValues, *, user: User, now: datetime
) -> Capabilities:
    has_feedback = row["feedback__rating"] is not None
    return state_capabilities(complaint=state, has_feedback=has_feedback, user=user, now=now)


def complaint_list_items(rows: Iterable[dict[str, Any]], *, user: User) -> list[dict[str, Any]]:
    """``ComplaintListOutSerializer(many=True)``'s output for ``selectors.LIST_VALUES`` rows."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    items = []
    for row in rows:
        state = _state(row)
        capabilities = _capabilities(row, state, user=user, now=now)
        items.append(_complaint_body(row, state, capabilities, user=user, now=now, tz=tz))
    return items


def complaint_detail(row: dict[str, Any], *, user: User) -> dict[str, Any]:
    """``ComplaintOutSerializer``'s output for a ``selectors.DETAIL_VALUES`` row."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    state = _state(row)
    capabilities = _capabilities(row, state, user=user, now=now)
    body = _complaint_body(row, state, capabilities, user=user, now=now, tz=tz)
    body["description"] = row["description"]
    body["resolution"] = row["resolution"]
    body["remedy_sought"] = row["remedy_sought"]
    body["remedy_outcome"] = row["remedy_outcome"]
    body["review"] = (
        {
            "requested_at": _datetime(row["review_requested_at"], tz),
            "reason": row["review_reason_text"],
            "concluded_at": _datetime(row["review_concluded_at"], tz),
            "outcome": row["review_outcome"],
            "note": row["review_note_text"] or "",
        }
        if row["review_requested_at"] is not None
        else None
    )
    body["referrals"] = (
        [
            {"name": str(referral["name"]), "contact": str(referral["contact"])}
            for referral in settings.COMPLAINT_REFERRALS
        ]
        if referrals_shown(state)
        else []
    )
    body["transitions_requiring_remedy_outcome"] = [
        status
        for status in capabilities.transitions_requiring_reason
        if remedy_outcome_required(remedy_sought=row["remedy_sought"], to_status=status)
    ]
    visible_target = row["merged_into_reference"] is not None and customers_complaint_is_visible(
        user=user, customer_id=row["merged_into_customer_id"]
    )
    body["merged_into"] = (
        {"id": str(row["merged_into_id"]), "reference": row["merged_into_reference"]}
        if visible_target
        else None
    )
    body["merged_at"] = _datetime(row["merged_at"], tz)
    body["merged_complaints"] = [
        {
            "id": merged["id"],
            "reference": merged["reference"],
            "title": merged["title"],
            "merged_at": _datetime(datetime.fromisoformat(merged["merged_at"]), tz),
        }
        for merged in row["merged_complaint_rows"]
    ]
    return body
