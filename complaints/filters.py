"""Query-parameter filters for the complaint list.

Validation is strict: a value that cannot be understood is a 400 naming the parameter,
never silently ignored.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import django_filters as df
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema_field

from complaints.models import Complaint, Priority
from complaints.policies import overdue_q, review_open_q
from complaints.search import MAX_QUERY_WORDS, MIN_WORD_LENGTH, search_filter
from complaints.visibility import sees_internal_notes
from complaints.workflow import Status

ORDERING_FIELDS = (
    "created_at",
    "updated_at",
    "priority",
    "resolve_due_at",
    "last_customer_activity_at",
)
ORDERING_ALIASES = {"created": "created_at", "updated": "updated_at"}
# Ties are broken by creation time, then id, in the direction of the first key, so that every
# allowed ordering (alone or after customer/status/assignee) is one index scan
# (see the ``complaint_*`` indexes on ``Complaint.Meta``).
TIEBREAK = ("created_at", "id")
DEFAULT_ORDERING = ("-created_at", "-id")
# The shortest word the search index holds (complaints/search.py).
Q_MIN_LENGTH = MIN_WORD_LENGTH
# PostgreSQL's timestamptz input accepts offsets up to ±15:59.
MAX_UTC_OFFSET = timedelta(hours=16)


def ordering_with_tiebreak(keys: list[str]) -> list[str]:
    """``keys``, then created_at and id (unless already there) in the first key's direction."""
    if not keys:
        return list(DEFAULT_ORDERING)
    prefix = "-" if keys[0].startswith("-") else ""
    present = {key.lstrip("-") for key in keys}
    return [*keys, *(f"{prefix}{field}" for field in TIEBREAK if field not in present)]


class DateOrDateTimeField(forms.Field):
    """ISO 8601 date (midnight UTC) or date-time; naive values are taken as UTC.

    Python accepts UTC offsets up to ±23:59, PostgreSQL only up to ±15:59: larger ones are a
    400 here, not a database error. Values are handed on in UTC.
    """

    default_error_messages = {
        "invalid": "Enter an ISO 8601 date or date-time.",
        "offset": "The UTC offset must be between -15:59 and +15:59.",
        "range": "The date-time is out of range.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if timezone.is_naive(parsed):
            return parsed.replace(tzinfo=UTC)
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) >= MAX_UTC_OFFSET:
            raise forms.ValidationError(self.error_messages["offset"], code="offset")
        try:
            return parsed.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["range"], code="range") from exc


class DateOrDateTimeFilter(df.Filter):
    field_class = DateOrDateTimeField


class AssigneeField(forms.CharField):
    """``me``, ``none`` or a user id."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if value in {"me", "none"}:
            return value
        try:
            return UUID(value)
        except ValueError as exc:
            raise forms.ValidationError("Use 'me', 'none' or a user id.", code="invalid") from exc


@extend_schema_field(
    {"anyOf": [{"type": "string", "enum": ["me", "none"]}, {"type": "string", "format": "uuid"}]}
)
class AssigneeFilter(df.Filter):
    field_class = AssigneeField


class IntegerFilter(df.Filter):
    field_class = forms.IntegerField


class CSVChoiceFilter(df.BaseInFilter, df.ChoiceFilter):
    """Comma-separated values, each one checked against the choices."""


class ComplaintOrderingFilter(df.OrderingFilter):
    """Ordering on a few indexed fields; ``created``/``updated`` are accepted as short names."""

    def __init__(self, *args, **kwargs):
        choices = []
        for field in ORDERING_FIELDS:
            choices += [(field, field), (f"-{field}", f"{field} (descending)")]
        for alias in ORDERING_ALIASES:
            choices += [(alias, alias), (f"-{alias}", f"{alias} (descending)")]
        kwargs["fields"] = ORDERING_FIELDS
        kwargs["choices"] = choices
        super().__init__(*args, **kwargs)
        self.param_map.update(ORDERING_ALIASES)

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        # Stable pages: equal keys are ordered by creation, then id (same direction).
        return qs.order_by(*ordering_with_tiebreak(ordering))


# Filters whose best plan depends on the values asked: a word's frequency (the GIN index for a
# rare word, an ordering index for a common one), a date range's width. A list using one is
# planned for its values each time; the others run as prepared statements, whose generic plan
# is the same index walk whatever the value (``selectors.ComplaintListing``).
VALUE_SENSITIVE_FILTERS = frozenset({"q", "created_after", "created_before"})

# Each FilterSet class's form class, built once (see ``ComplaintFilter.get_form_class``).
_FORM_CLASSES: dict[type[df.FilterSet], type[forms.Form]] = {}


class _SharedFields(dict[str, forms.Field]):
    """A filter form class's fields, shared by its forms instead of deep-copied for each.

    The form only validates and cleans query parameters (it is never rendered), which reads its
    fields and changes none; Django's deep copy of them for every form cost ~0.3 ms a request.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class _CopiedFilters(dict[str, df.Filter]):
    """A FilterSet class's filters, copied one level deep for each instance.

    django-filter deep-copies them (with their choices and options) for every FilterSet, then
    sets each copy's ``parent``; a shallow copy is all that needs (~0.3 ms a request saved),
    with its ``method`` bound again so that it calls the copy's parent.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, df.Filter]:
        copies = {}
        for name, original in self.items():
            filter_ = copy.copy(original)
            if filter_.method is not None:
                filter_.method = filter_.method  # a FilterMethod of the copy, not the original
            copies[name] = filter_
        return copies


class ComplaintFilter(df.FilterSet):
    status = CSVChoiceFilter(choices=Status.choices, help_text="One status or a comma list.")
    priority = CSVChoiceFilter(
        choices=[(p.label, p.label) for p in Priority],
        method="filter_priority",
        help_text="Priority names (low, normal, high, urgent); comma list allowed.",
    )
    category = IntegerFilter(field_name="category_id", help_text="Category id.")
    assignee = AssigneeFilter(method="filter_assignee", help_text="'me', 'none' or a user id.")
    created_after = DateOrDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO date or date-time (inclusive)."
    )
    created_before = DateOrDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="ISO date or date-time (exclusive)."
    )
    overdue = df.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_overdue",
        help_text="true or false.",
    )
    review = df.ChoiceFilter(
        choices=[("open", "open"), ("concluded", "concluded")],
        method="filter_review",
        help_text="Internal reviews: open (requested, waiting for a supervisor; the "
        "supervisors' queue) or concluded.",
    )
    q = df.CharFilter(
        method="filter_q",
        min_length=Q_MIN_LENGTH,
        max_length=200,
        help_text="Search, case- and accent-insensitive. An email address: the complaints of "
        "the customer with exactly that email. A reference or its start (CMP-...): those "
        "complaints. Otherwise words: complaints containing every word (whole words, not "
        "parts) in the title, description, comments or the customer's name; staff also match "
        "internal notes, customers only ever search their own complaints. Words shorter than "
        f"{MIN_WORD_LENGTH} characters and common words (the, and, ...) are ignored; at most "
        f"{MAX_QUERY_WORDS} words. At least {Q_MIN_LENGTH} characters (400 otherwise).",
    )
    ordering = ComplaintOrderingFilter(
        help_text="created_at, updated_at, priority, resolve_due_at (or created, updated); "
        "prefix with - for descending. Ties are broken by created_at, then id, in the same "
        "direction; the default is newest first (-created_at)."
    )

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None):
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)

    @staticmethod
    def plan_depends_on_values(data: Mapping[str, Any]) -> bool:
        """Whether ``data`` uses a filter of ``VALUE_SENSITIVE_FILTERS``."""
        return any(data.get(name) for name in VALUE_SENSITIVE_FILTERS)

    @classmethod
    def applies_to(cls, data: Mapping[str, Any]) -> bool:
        """Whether ``data`` (query parameters) holds any of the filters (or the ordering)."""
        return any(name in data for name in cls.base_filters)

    def get_form_class(self):
        # django-filter builds a new form class (and a field per filter) for every FilterSet;
        # the fields depend on nothing but the class, so one form class serves every request.
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            form_class = _FORM_CLASSES[type(self)] = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
        return form_class

    def filtered_qs(self) -> QuerySet[Complaint]:
        if not self.is_valid():
            raise translate_validation(self.errors)
        return self.qs

    def filter_priority(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(priority__in=[Priority.from_name(v) for v in value])

    def filter_assignee(self, qs, name, value):
        if value is None:
            return qs
        if value == "me":
            return qs.filter(assignee_id=getattr(self.user, "pk", None))
        if value == "none":
            return qs.filter(assignee__isnull=True)
        return qs.filter(assignee_id=value)

    def filter_overdue(self, qs, name, value):
        if not value:
            return qs
        condition = overdue_q(timezone.now())
        return qs.filter(condition) if value == "true" else qs.exclude(condition)

    def filter_review(self, qs, name, value):
        if value == "open":
            return qs.filter(review_open_q())
        if value == "concluded":
            return qs.filter(review_concluded_at__isnull=False)
        return qs

    def filter_q(self, qs, name, value):
        """Email, reference prefix or words: ``complaints.search.search_filter``."""
        internal = self.user is not None and sees_internal_notes(self.user)
        return search_filter(qs, value=value or "", internal=internal)


# Copied shallowly per request (see ``_CopiedFilters``); the metaclass has built them by now.
ComplaintFilter.base_filters = _CopiedFilters(ComplaintFilter.base_filters)
