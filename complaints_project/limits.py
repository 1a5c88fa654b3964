"""Request body caps applied before anything reads the body.

DRF's parsers read the body stream directly, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
never sees a JSON body: without this cap an anonymous client could make the API parse a body
of any size. Multipart bodies (attachment uploads) get the attachment limit plus room for the
envelope; every other body gets ``API_MAX_JSON_BYTES``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


def body_limit(content_type: str) -> int:
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return settings.API_MAX_MULTIPART_BYTES
    return settings.API_MAX_JSON_BYTES


class RequestBodyLimitMiddleware:
    """413 JSON for a declared ``Content-Length`` above the limit; 400 for a malformed one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return JsonResponse({"detail": "Malformed Content-Length header."}, status=400)
        limit = body_limit(request.META.get("CONTENT_TYPE", ""))
        if length > limit:
            return JsonResponse(
                {"detail": f"The request body is larger than {limit} bytes.", "code": "too_large"},
                status=413,
            )
        return self.get_response(request)
