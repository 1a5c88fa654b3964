from __future__ import annotations

from typing import Any, Protocol

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE = 25
# page_size is at most max_page_size (100): longer digit strings are refused before int().
PAGE_SIZE_MAX_DIGITS = 3


class DefaultPagination(PageNumberPagination):
    """25 per page by default; clients may ask for up to 100 with ``page_size``.

    Strict where DRF is lenient: a ``page`` or ``page_size`` that is not a whole number in range
    is a 400 (DRF would silently use the default size or 404), so the limits the schema states
    are the limits the API enforces. A page past the last one, however large, is still a 404.
    """

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
        self.validate_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def validate_parameters(self, request: Request) -> None:
        """A 400 naming ``page`` or ``page_size`` when it is not a whole number in range."""
        params = request.query_params
        page = params.get(self.page_query_param)
        if page is not None and not _is_positive_integer(page):
            raise ValidationError({self.page_query_param: ["A whole number, at least 1."]})
        size = params.get(self.page_size_query_param)
        digits = (size or "").lstrip("0")
        if size is not None and not (
            _is_positive_integer(size)
            and len(digits) <= PAGE_SIZE_MAX_DIGITS
            and int(digits) <= self.max_page_size
        ):
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number, 1 to {self.max_page_size}."]}
            )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter["schema"]
            schema["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                schema["maximum"] = self.max_page_size
                schema["default"] = self.page_size
        return parameters


class PagedListing(Protocol):
    """A list read a page at a time (``complaints.selectors.ComplaintListing``), counted exactly
    up to its own ``count_cap`` when it has one below the paginator's."""

    count_cap: int | None

    def page(
        self, *, offset: int, limit: int, count_cap: int | None = None
    ) -> tuple[list[dict[str, Any]], int | None]: ...


COUNT_CAP = 1000
MAX_OFFSET = 5_000
COUNT_DESCRIPTION = (
    f"How many items match. Counted exactly up to {COUNT_CAP:,}; beyond that only as far as "
    "known: when `count_is_exact` is false, more than `count` items match (at least "
    f"{COUNT_CAP:,}, or as many as the pages up to this one hold). The last page always "
    "carries the exact number."
)
PAGING_DESCRIPTION = (
    f"Pages reach the first {MAX_OFFSET:,} items of a list (page x page_size at most "
    f"{MAX_OFFSET:,}); a page beyond is a 400. Narrow the list with filters, or reverse the "
    "ordering, to reach the others. `next` is null on the last page that exists or may be "
    "asked for."
)


class CappedCountPagination(DefaultPagination):
    """Page numbers with a count that never scans the whole list, and a bounded depth.

    One statement per page (``PagedListing.page``): ``page_size + 1`` rows (the extra one says
    whether a next page exists) and, while the page starts within the first ``COUNT_CAP``
    items, the count capped at ``COUNT_CAP + 1``. Pages start at most ``MAX_OFFSET`` items in,
    so no page makes PostgreSQL step over more than that many index entries (OFFSET reads
    every row it skips). The body is DRF's plus ``count_is_exact``; see ``COUNT_DESCRIPTION``.
    """

    count_cap = COUNT_CAP
    max_offset = MAX_OFFSET

    def paginate_listing(self, listing: PagedListing, request: Request) -> list[dict[str, Any]]:
        self.validate_parameters(request)
        self.page_request = request
        page_size = self.get_page_size(request) or PAGE_SIZE
        digits = (request.query_params.get(self.page_query_param) or "1").lstrip("0")
        # Longer digit strings are beyond the bound anyway (and int() refuses huge ones).
        number = int(digits) if len(digits) <= len(str(self.max_offset)) else self.max_offset + 1
        offset = (number - 1) * page_size
        if offset + page_size > self.max_offset:
            raise ValidationError(
                {self.page_query_param: [f"Pages reach the first {self.max_offset:,} items."]}
            )
        cap = min(self.count_cap, listing.count_cap or self.count_cap)
        counted = offset < cap
        rows, capped = listing.page(
            offset=offset, limit=page_size + 1, count_cap=cap if counted else None
        )
        if not rows and number > 1:
            raise NotFound("Invalid page.")
        more = len(rows) > page_size
        rows = rows[:page_size]
        self.number = number
        self.has_next = more and offset + 2 * page_size <= self.max_offset
        if not more:
            self.count, self.count_is_exact = offset + len(rows), True
        elif capped is not None and capped <= cap:
            self.count, self.count_is_exact = capped, True
        else:
            self.count, self.count_is_exact = max(cap, offset + page_size), False
        return rows

    def get_paginated_response(self, data: list[dict[str, Any]]) -> Response:
        return Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.page_request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1:
            return None
        url = self.page_request.build_absolute_uri()
        if self.number == 2:  # noqa: PLR2004 - the page after the first
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = COUNT_DESCRIPTION
        properties["count_is_exact"] = {
            "type": "boolean",
            "description": "Whether `count` is the exact number (always, up to the cap).",
        }
        response["required"] = ["count", "count_is_exact", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["maximum"] = self.max_offset
                parameter["description"] = PAGING_DESCRIPTION
        return parameters


def _is_positive_integer(raw: str) -> bool:
    """Digits only (no sign, no spaces), not all zeros; any length (a huge page is a 404)."""
    return raw.isascii() and raw.isdigit() and raw.strip("0") != ""
