"""One JSON error shape for the whole API, and the one place domain errors become HTTP.

DRF's conventions are kept (``{"detail": ...}`` or field -> messages). Services raise plain
domain errors (``complaints.errors``, Django's ``ValidationError``); they are mapped here.
Anything unexpected becomes a JSON 500 without a trace in the body (the log has it).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from accounts import errors as account_errors
from complaints import errors

logger = logging.getLogger(__name__)

# Unique constraints a service checks before it writes, so a concurrent request can only win
# the race between the check and the insert: the transaction is rolled back and the client
# may simply retry. Any other IntegrityError is a bug. Names as PostgreSQL reports them (a
# test checks they exist).
RETRYABLE_UNIQUE_CONSTRAINTS = frozenset(
    {
        "accounts_user_email_hash_key",  # accounts.services.user_create
        "complaints_category_name_key",  # complaints.services.category_create / _update
        "complaints_category_slug_key",
        "complaints_feedback_complaint_id_key",  # complaints.services.feedback_submit
        "complaints_businesscalendar_name_key",  # complaints.calendars.calendar_create / _update
        "idempotency_key_per_user",  # the advisory lock's backstop
    }
)
RETRY_DETAIL = "The request conflicts with data saved at the same time; retry."


class _DomainAnswer(exceptions.APIException):
    """A domain error as DRF sees it: status, detail and the error's extra fields."""

    def __init__(self, *, status_code: int, detail: str, extra: dict | None = None):
        super().__init__(detail)
        self.status_code = status_code
        self.extra = extra or {}


_STATUS_OF = (
    (account_errors.BrowserSessionInvalid, status.HTTP_401_UNAUTHORIZED),
    (account_errors.AccountError, status.HTTP_400_BAD_REQUEST),
    (errors.EmailNotVerified, status.HTTP_403_FORBIDDEN),
    (errors.ConflictError, status.HTTP_409_CONFLICT),
    (errors.PayloadTooLarge, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    (errors.UnsupportedFileType, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
)


def _constraint_name(exc: IntegrityError) -> str | None:
    """The violated constraint, from the psycopg2 error Django's wraps (None if unknown)."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _server_error(exc: Exception) -> Response:
    logger.error("Unhandled API error", exc_info=(type(exc), exc, exc.__traceback__))
    set_rollback()
    return Response(
        {"detail": "Internal server error.", "code": "server_error"},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _as_drf(exc: Exception) -> Exception:
    """Domain and Django errors translated to DRF exceptions; anything else unchanged."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    # Staff who can see the complaint are told which rule refused them and who may instead.
    if isinstance(exc, errors.SupervisorsOnly):
        return _DomainAnswer(
            status_code=status.HTTP_403_FORBIDDEN, detail=exc.message, extra=exc.extra
        )
    # Not found / not allowed keep DRF's generic wording: which rule refused is not the
    # caller's business (and another customer's complaint must look like no complaint).
    if isinstance(exc, Http404 | errors.NotFound):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied | errors.NotAllowed):
        return exceptions.PermissionDenied()
    for error_class, status_code in _STATUS_OF:
        if isinstance(exc, error_class):
            return _DomainAnswer(status_code=status_code, detail=exc.message, extra=exc.extra)
    if isinstance(exc, IntegrityError) and _constraint_name(exc) in RETRYABLE_UNIQUE_CONSTRAINTS:
        logger.warning("lost a unique-constraint race, answered as 409: %s", _constraint_name(exc))
        return _DomainAnswer(status_code=status.HTTP_409_CONFLICT, detail=RETRY_DETAIL)
    return exc


def api_exception_handler(exc, context):
    translated = _as_drf(exc)
    response = exception_handler(translated, context)
    if response is None:
        return _server_error(exc)
    extra = getattr(translated, "extra", None)
    if extra and isinstance(response.data, dict):
        response.data.update(extra)
    return response


def json_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def json_server_error(request):
    return JsonResponse({"detail": "Internal server error.", "code": "server_error"}, status=500)


def json_bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def json_permission_denied(request, exception=None):
    return JsonResponse({"detail": "Permission denied."}, status=403)
