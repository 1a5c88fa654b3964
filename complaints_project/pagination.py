from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

# page_size is at most max_page_size (100): longer digit strings are refused before int().
PAGE_SIZE_MAX_DIGITS = 3


class DefaultPagination(PageNumberPagination):
    """25 per page by default; clients may ask for up to 100 with ``page_size``.

    Strict where DRF is lenient: a ``page`` or ``page_size`` that is not a whole number in range
    is a 400 (DRF would silently use the default size or 404), so the limits the schema states
    are the limits the API enforces. A page past the last one, however large, is still a 404.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
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
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter["schema"]
            schema["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                schema["maximum"] = self.max_page_size
                schema["default"] = self.page_size
        return parameters


def _is_positive_integer(raw: str) -> bool:
    """Digits only (no sign, no spaces), not all zeros; any length (a huge page is a 404)."""
    return raw.isascii() and raw.isdigit() and raw.strip("0") != ""
