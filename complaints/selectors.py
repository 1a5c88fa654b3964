"""Complaint reads. Everything a user looks up goes through ``complaints.visibility``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from complaints.models import Category, Comment, Complaint, HistoryEntry, overdue_q
from complaints.visibility import complaints_visible_to
from complaints.workflow import Status, allowed_next_statuses


def reopen_window_open(*, complaint: Complaint, now: datetime | None = None) -> bool:
    """Whether a resolved complaint may still be reopened by its customer."""
    if complaint.resolved_at is None:
        return False
    window = timedelta(days=settings.COMPLAINT_REOPEN_WINDOW_DAYS)
    return (now or timezone.now()) <= complaint.resolved_at + window


def allowed_transitions(
    *, complaint: Complaint, user: User | None, now: datetime | None = None
) -> list[str]:
    """Statuses ``user`` may move ``complaint`` to right now (None = system, handler rights)."""
    if user is None:
        role = Role.AGENT
    else:
        if not user.is_handler and complaint.customer_id != user.pk:
            return []
        role = user.role
    statuses = allowed_next_statuses(complaint.status, role)
    if Status.REOPENED in statuses and not reopen_window_open(complaint=complaint, now=now):
        statuses = [s for s in statuses if s != Status.REOPENED]
    return [str(s) for s in statuses]


def _with_overdue(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return qs.annotate(
        is_overdue=ExpressionWrapper(overdue_q(timezone.now()), output_field=BooleanField())
    )


def _complaints_for(user: User) -> QuerySet[Complaint]:
    return _with_overdue(
        complaints_visible_to(user=user).select_related(
            "category", "customer", "assignee", "feedback"
        )
    )


def complaint_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Complaint]:
    """Complaints ``user`` may see, filtered/ordered by ``filters`` (query parameters).

    Invalid filter values raise a DRF ``ValidationError`` naming the parameter (HTTP 400).
    """
    from complaints.filters import ComplaintFilter  # filters import this module's helpers

    qs = _complaints_for(user)
    if filters is None:
        return qs
    filterset = ComplaintFilter(data=filters, queryset=qs, user=user)
    return filterset.filtered_qs()


def complaint_get(*, user: User, complaint_id: UUID | str) -> Complaint:
    try:
        return _complaints_for(user).get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        # A malformed UUID is just another complaint that does not exist.
        raise Http404("No complaint matches the given query.") from exc


def complaint_get_by_reference(*, user: User, reference: str) -> Complaint:
    try:
        return _complaints_for(user).get(reference=reference.strip().upper())
    except Complaint.DoesNotExist as exc:
        raise Http404("No complaint matches the given query.") from exc


def comment_list(*, user: User, complaint: Complaint) -> QuerySet[Comment]:
    """Comments on a complaint the caller can see; customers never see internal notes."""
    if not user.is_handler and complaint.customer_id != user.pk:
        raise Http404("No complaint matches the given query.")
    qs = Comment.objects.filter(complaint=complaint).select_related("author")
    if not user.is_handler:
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def history_list(*, user: User, complaint: Complaint) -> QuerySet[HistoryEntry]:
    """History of a complaint; customers never see entries about internal notes."""
    if not user.is_handler and complaint.customer_id != user.pk:
        raise Http404("No complaint matches the given query.")
    qs = HistoryEntry.objects.filter(complaint=complaint).select_related("actor")
    if not user.is_handler:
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def category_list(*, user: User | None = None) -> QuerySet[Category]:
    """All categories for staff; only active ones for customers (and anonymous callers)."""
    qs = Category.objects.all().order_by("name")
    if user is None or not user.is_handler:
        qs = qs.filter(is_active=True)
    return qs


def category_get(*, user: User | None, category_id: int | str) -> Category:
    try:
        return category_list(user=user).get(pk=category_id)
    except (Category.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No category matches the given query.") from exc
