"""Canned responses: reply texts supervisors keep, per category or for every complaint.

A body may use a fixed set of placeholders, written ``{name}`` (``{{`` and ``}}`` are literal
braces). Rendering substitutes the values as plain text and never evaluates anything: no
attribute or index access, no format specs, no conversions; a body using anything else is
refused when saved. The rendered text only fills the composer: staff edit it and send it as an
ordinary comment (``services.comment_create``), so nothing is sent by inserting it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from complaints.errors import NotAllowed, NotFound
from complaints.models import CannedResponse, Category, Complaint
from complaints.policies import may_manage_canned_responses

PLACEHOLDERS: dict[str, str] = {
    "customer_first_name": "The first word of the customer's name (else 'customer').",
    "reference": "The complaint's reference, e.g. CMP-2026-000123.",
    "agent_name": "The name of the staff member inserting the text.",
}
TITLE_MAX_LENGTH = 100
BODY_MAX_LENGTH = 5000
SUPERVISOR_ONLY = "Only supervisors and admins can manage canned responses."
NOT_FOUND = "No canned response matches the given query."


# --------------------------------------------------------------------------- templates


def template_errors(body: str) -> list[str]:
    """What is wrong with ``body`` as a template (empty when it can be rendered)."""
    try:
        parts = list(Formatter().parse(body))
    except ValueError as exc:  # a lone "{" or "}"
        return [f"{exc}; write {{{{ or }}}} for a literal brace."]
    errors = []
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            errors.append(f"Unknown placeholder {shown}; use {allowed}.")
    return errors


def render(body: str, *, values: Mapping[str, str]) -> str:
    """``body`` with each placeholder replaced by its value, as plain text."""
    return "".join(
        literal + (values[name] if name is not None else "")
        for literal, name, _, _ in Formatter().parse(body)
    )


def placeholder_values(*, complaint: Complaint, agent: User) -> dict[str, str]:
    first = (complaint.customer.full_name or "").split()
    return {
        "customer_first_name": first[0] if first else "customer",
        "reference": complaint.reference,
        "agent_name": (agent.full_name or "").strip() or "the support team",
    }


# --------------------------------------------------------------------------- reads


def _ensure_staff(user: User) -> None:
    """Canned responses do not exist for customers (404, like anything they may not see)."""
    if not user.is_handler:
        raise NotFound(NOT_FOUND)


def placeholder_list(*, user: User) -> list[dict[str, str]]:
    """The placeholders a body may use, ``{name, description}``, for staff."""
    _ensure_staff(user)
    return [{"name": name, "description": text} for name, text in PLACEHOLDERS.items()]


def canned_response_list(
    *, user: User, category_id: int | None = None, only_global: bool = False
) -> QuerySet[CannedResponse]:
    """Canned responses for staff: supervisors see inactive ones too, agents only active."""
    _ensure_staff(user)
    qs = CannedResponse.objects.select_related("category").order_by("title", "id")
    if not may_manage_canned_responses(user):
        qs = qs.filter(is_active=True)
    if only_global:
        qs = qs.filter(category__isnull=True)
    elif category_id is not None:
        qs = qs.filter(category_id=category_id)
    return qs


def canned_response_get(*, user: User, canned_response_id: int | str) -> CannedResponse:
    try:
        return canned_response_list(user=user).get(pk=canned_response_id)
    except (CannedResponse.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(NOT_FOUND) from exc


@dataclass(frozen=True)
class RenderedCannedResponse:
    id: int
    title: str
    category: Category | None
    body: str
    rendered_body: str


def canned_responses_for_complaint(
    *, user: User, complaint: Complaint
) -> list[RenderedCannedResponse]:
    """The active responses offered on ``complaint`` (its category's, then the global ones),
    rendered for it and for ``user``. ``complaint`` comes from a visibility-checked selector."""
    _ensure_staff(user)
    rows = (
        CannedResponse.objects.filter(is_active=True)
        .filter(Q(category_id=complaint.category_id) | Q(category__isnull=True))
        .select_related("category")
        .order_by("category_id", "title", "id")  # NULLs (global) last in PostgreSQL
    )
    values = placeholder_values(complaint=complaint, agent=user)
    return [
        RenderedCannedResponse(
            id=row.pk,
            title=row.title,
            category=row.category,
            body=row.body,
            rendered_body=render(row.body, values=values),
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- writes


def ensure_manager(actor: User | None) -> None:
    """Customers: 404; agents: ``NotAllowed``; supervisors, admins and the system pass."""
    if actor is not None:
        _ensure_staff(actor)
        if not may_manage_canned_responses(actor):
            raise NotAllowed(SUPERVISOR_ONLY)


def _clean(field: str, value: Any, max_length: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field: ["This field may not be blank."]})
    if len(text) > max_length:
        raise ValidationError(
            {field: [f"Ensure this field has no more than {max_length} characters."]}
        )
    return text


def _clean_body(body: Any) -> str:
    body = _clean("body", body, BODY_MAX_LENGTH)
    errors = template_errors(body)
    if errors:
        raise ValidationError({"body": errors})
    return body


@transaction.atomic
def canned_response_create(
    *,
    actor: User | None,
    title: str,
    body: str,
    category: Category | None = None,
    is_active: bool = True,
) -> CannedResponse:
    """A new canned response; ``category`` None offers it on every complaint."""
    ensure_manager(actor)
    return CannedResponse.objects.create(
        title=_clean("title", title, TITLE_MAX_LENGTH),
        body=_clean_body(body),
        category=category,
        is_active=is_active,
        created_by=actor,
    )


UPDATABLE_FIELDS = frozenset({"title", "body", "category", "is_active"})


@transaction.atomic
def canned_response_update(
    *, canned_response: CannedResponse, actor: User | None, **changes: Any
) -> CannedResponse:
    """Change the given fields (``category`` None makes it global)."""
    ensure_manager(actor)
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if "title" in changes:
        changes["title"] = _clean("title", changes["title"], TITLE_MAX_LENGTH)
    if "body" in changes:
        changes["body"] = _clean_body(changes["body"])
    for field, value in changes.items():
        setattr(canned_response, field, value)
    if changes:
        canned_response.save(update_fields=[*changes, "updated_at"])
    return canned_response


@transaction.atomic
def canned_response_delete(*, canned_response: CannedResponse, actor: User | None) -> None:
    ensure_manager(actor)
    canned_response.delete()
