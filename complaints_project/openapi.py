"""The project's drf-spectacular ``AutoSchema``: every operation documents the errors it can get.

Views declare their success responses and the errors that are theirs alone (409 on a
workflow conflict, 403 for a role). The errors that follow from how a view is built are added
here, from the view itself, so no view has to repeat them and none can forget them:

=====  ==========================================================================
 400   a request body, or query / header parameters (filters, pagination)
 401   an authentication class (a missing or bad token); simplejwt's token views
 403   a permission class beyond "authenticated"
 404   path parameters, or a paginated list (a page past the last one)
 406   always (content negotiation: the API only speaks JSON)
 413   a request body (``complaints_project.limits``)
 415   a request body (unsupported Content-Type)
 429   throttle classes
 503   throttle classes (``accounts.throttling`` fails closed without Redis)
=====  ==========================================================================

An explicit response (from ``@extend_schema``) is kept as it is; one without a body gets the
error shape. Query parameters taken from django-filter forms carry their length limits.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import permissions, serializers
from rest_framework_simplejwt.views import TokenViewBase

ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(
            required=False, help_text="A stable error code, on some errors only."
        ),
    },
)
# Field errors (field -> messages, nested for nested input) or {"detail": ...} for a body
# that could not be parsed: an object in every case.
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {},
    "description": "Invalid input: field -> list of messages, or `detail` for a malformed body.",
}
STANDARD_ERRORS = {
    "400": "Invalid input.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Not allowed for the caller.",
    "404": "Not found (or not visible to the caller).",
    "406": "The Accept header allows no JSON answer.",
    "413": "The request body is too large.",
    "415": "Unsupported Content-Type.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
    "503": "Temporarily unavailable (rate limiting cannot be checked); retry later.",
}
_AUTHENTICATION_ONLY = (
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
)


# What Python's str.strip() removes (DRF trims CharField input before its blank check): ECMA
# regex's \s differs (it lacks \x1c-\x1f and \x85), so the class is spelled out.
_STRIPPED = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0"
    "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
NO_NUL_PATTERN = "^[^\\x00]*$"
NOT_BLANK_PATTERN = f"^[^\\x00]*[^\\x00{_STRIPPED}][^\\x00]*$"


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """DRF's CharField refuses NUL characters, and (trimmed) blank values unless
        ``allow_blank``: the request schema says so with a pattern."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            blank_refused = not field.allow_blank and field.trim_whitespace
            schema["pattern"] = NOT_BLANK_PATTERN if blank_refused else NO_NUL_PATTERN
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._standard_error_codes(operation):
            responses.setdefault(code, {"description": STANDARD_ERRORS[code]})
        for code, response in responses.items():
            if int(code) >= HTTPStatus.BAD_REQUEST and "content" not in response:
                response["content"] = {"application/json": {"schema": self._error_schema(code)}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_schema(self, code: str) -> dict[str, Any]:
        if code == "400":
            return VALIDATION_ERROR_SCHEMA
        return self.resolve_serializer(ErrorSerializer, "response").ref

    def _standard_error_codes(self, operation: dict[str, Any]) -> list[str]:
        view = self.view
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        codes = ["406"]
        if has_body or any(p["in"] in {"query", "header"} for p in parameters):
            codes.append("400")
        if view.get_authenticators() or isinstance(view, TokenViewBase):
            codes.append("401")
        if any(not isinstance(p, _AUTHENTICATION_ONLY) for p in view.get_permissions()):
            codes.append("403")
        if any(p["in"] == "path" for p in parameters) or self._is_list_paginated():
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        if view.get_throttles():
            codes += ["429", "503"]
        return codes

    def _is_list_paginated(self) -> bool:
        return self._is_list_view() and bool(self._get_paginator())


class LimitedDjangoFilterExtension(DjangoFilterExtension):
    """django-filter parameters, plus what their form fields enforce: length limits, and that an
    empty value is no filter at all."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        limits = {
            "minLength": filter_field.extra.get("min_length"),
            "maxLength": filter_field.extra.get("max_length"),
        }
        for parameter in parameters:
            # django-filter reads an empty value as "no filter".
            parameter["allowEmptyValue"] = True
            schema = parameter["schema"]
            target = schema["items"] if schema.get("type") == "array" else schema
            target.update({key: value for key, value in limits.items() if value is not None})
            # Choices are what the client sends: names of an integer column are strings.
            enum = target.get("enum") or []
            if enum and all(isinstance(value, str) for value in enum):
                target["type"] = "string"
        return parameters
