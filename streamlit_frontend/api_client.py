"""The one HTTP client every page uses to talk to the Complaints REST API.

It knows nothing about Streamlit: tokens live in a session-state-like mutable mapping that
is passed in (``st.session_state`` in the app, a plain ``dict`` in tests).

* An expired access token is refreshed transparently: on a 401 the client refreshes once
  (storing the rotated refresh token) and retries the request once.
* A failed refresh clears the stored tokens and raises :class:`SessionExpired`.
* Every non-2xx answer becomes a typed :class:`ApiError` subclass.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
UPLOAD_TIMEOUT = httpx.Timeout(60.0, connect=3.0)

# Keys the client owns in the session state.
ACCESS_KEY = "auth_access"
REFRESH_KEY = "auth_refresh"
ROLE_KEY = "auth_role"
USER_ID_KEY = "auth_user_id"
AUTH_KEYS = (ACCESS_KEY, REFRESH_KEY, ROLE_KEY, USER_ID_KEY)

# Which pages to offer is chosen from the token's role; what a caller may do on a complaint
# comes from the API (the complaint's ``can_*`` flags and ``GET /api/workflow/``).
HANDLER_ROLES = frozenset({"agent", "supervisor", "admin"})
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})
# The API's largest page, and how many of them a sub-list reads before it stops.
MAX_PAGE_SIZE = 100
MAX_PAGES = 20
# Seconds before expiry at which the access token is refreshed proactively.
EXPIRY_LEEWAY = 10


def base_url_from_env() -> str:
    return os.environ.get("API_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def public_url_from_env() -> str:
    """The API's address as the browser reaches it (the session cookie is set from there).

    Same site as the app (cookies ignore ports; in production Kong serves both on one host).
    """
    return os.environ.get("API_PUBLIC_URL", "").rstrip("/") or base_url_from_env()


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class ApiError(Exception):
    """Any error answer from the API (or failure to get one)."""

    def __init__(self, message: str, *, status_code: int | None = None, payload: Any = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.payload = payload


class ApiValidationError(ApiError):
    """400: ``field_errors`` maps a field name (or ``detail``/``non_field_errors``) to messages."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]], **kwargs: Any):
        super().__init__(message, **kwargs)
        self.field_errors = field_errors


class ApiAuthError(ApiError):
    """401 that is not fixable by a refresh (e.g. wrong email or password)."""


class SessionExpired(ApiAuthError):
    """The refresh token was refused: the user has to log in again."""


class ApiPermissionDenied(ApiError):
    """403."""


class ApiNotFound(ApiError):
    """404 (also what another customer's complaint looks like)."""


class ApiConflict(ApiError):
    """409: the complaint moved on; ``allowed`` lists the statuses allowed now."""

    def __init__(
        self,
        message: str,
        *,
        allowed: list[str] | None = None,
        current_status: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(message, **kwargs)
        self.allowed = allowed or []
        self.current_status = current_status


class ApiFileRejected(ApiError):
    """413 (too large) or 415 (type not accepted) for an upload."""


class ApiRateLimited(ApiError):
    """429: ``retry_after`` is the number of seconds to wait (None when not given)."""

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ApiUnavailable(ApiError):
    """The API could not be reached, timed out, or failed with a 5xx."""


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


def _retry_after(response: httpx.Response) -> int | None:
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0, int(float(raw)))
    except ValueError:
        return None


# Errors that carry nothing but a message: their class and the message when the API gave none.
_PLAIN_ERRORS: dict[int, tuple[type[ApiError], str]] = {
    HTTPStatus.UNAUTHORIZED: (ApiAuthError, "Authentication failed."),
    HTTPStatus.FORBIDDEN: (ApiPermissionDenied, "You are not allowed to do that."),
    HTTPStatus.NOT_FOUND: (ApiNotFound, "Not found."),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: (ApiFileRejected, "The file is too large."),
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: (ApiFileRejected, "This file type is not accepted."),
}


def _validation_error(payload: Any, detail: str, common: dict[str, Any]) -> ApiValidationError:
    field_errors: dict[str, list[str]] = {}
    if isinstance(payload, dict):
        field_errors = {str(k): _messages(v) for k, v in payload.items()}
    elif isinstance(payload, list):
        field_errors = {"non_field_errors": _messages(payload)}
    message = detail or "Please correct the highlighted fields."
    return ApiValidationError(message, field_errors=field_errors, **common)


def error_from_response(response: httpx.Response) -> ApiError:
    """Map a non-2xx response to the matching typed error."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    status = response.status_code
    detail = ""
    if isinstance(payload, dict) and "detail" in payload:
        detail = " ".join(_messages(payload["detail"]))
    common: dict[str, Any] = {"status_code": status, "payload": payload}

    if status == HTTPStatus.BAD_REQUEST:
        return _validation_error(payload, detail, common)
    if status in _PLAIN_ERRORS:
        error_class, default = _PLAIN_ERRORS[status]
        return error_class(detail or default, **common)
    if status == HTTPStatus.CONFLICT:
        body = payload if isinstance(payload, dict) else {}
        return ApiConflict(
            detail or "The complaint changed in the meantime.",
            allowed=list(body.get("allowed") or []),
            current_status=body.get("current_status"),
            **common,
        )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        retry_after = _retry_after(response)
        return ApiRateLimited(detail or "Too many requests.", retry_after=retry_after, **common)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return ApiUnavailable(
            "The complaints service had a problem. Please try again in a moment.", **common
        )
    return ApiError(detail or f"Unexpected answer from the API ({status}).", **common)


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def decode_jwt_claims(token: str) -> dict[str, Any]:
    """The (unverified) payload of a JWT. The server verifies; we only read role/expiry."""
    try:
        payload = token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass(frozen=True)
class Page:
    """One page of a paginated list.

    ``count_is_exact`` false (the complaint list beyond 1,000 matches): more than ``count``
    items match, how many more is not counted.
    """

    count: int
    results: list[dict[str, Any]]
    next: str | None
    previous: str | None
    count_is_exact: bool = True

    @classmethod
    def from_payload(cls, payload: Any) -> Page:
        if isinstance(payload, list):  # unpaginated endpoint
            return cls(count=len(payload), results=payload, next=None, previous=None)
        return cls(
            count=int(payload.get("count", 0)),
            results=list(payload.get("results", [])),
            next=payload.get("next"),
            previous=payload.get("previous"),
            count_is_exact=bool(payload.get("count_is_exact", True)),
        )


# ---------------------------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------------------------


class ApiClient:
    """Typed access to the REST API; tokens are read from and written to ``state``."""

    def __init__(
        self,
        state: MutableMapping[str, Any],
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        http: httpx.Client | None = None,
        client_address: str | None = None,
    ):
        self.state = state
        self.base_url = (base_url or base_url_from_env()).rstrip("/")
        # The browser's address, forwarded so that Kong (which trusts it only from the
        # Streamlit container) rate-limits each person, not all of Streamlit at once.
        self.client_address = client_address
        self._http = http or httpx.Client(timeout=timeout)
        self._timeout = timeout

    # -- session --------------------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return bool(self.state.get(ACCESS_KEY) and self.state.get(REFRESH_KEY))

    @property
    def role(self) -> str | None:
        return self.state.get(ROLE_KEY)

    @property
    def user_id(self) -> str | None:
        return self.state.get(USER_ID_KEY)

    @property
    def is_handler(self) -> bool:
        return self.role in HANDLER_ROLES

    @property
    def sees_dashboard(self) -> bool:
        return self.role in SUPERVISOR_ROLES

    @property
    def manages_settings(self) -> bool:
        """Canned responses and SLA calendars (the API refuses anyone else's writes)."""
        return self.role in SUPERVISOR_ROLES

    def _store_tokens(self, access: str, refresh: str | None) -> None:
        claims = decode_jwt_claims(access)
        self.state[ACCESS_KEY] = access
        if refresh:
            self.state[REFRESH_KEY] = refresh
        self.state[ROLE_KEY] = claims.get("role")
        self.state[USER_ID_KEY] = str(claims["user_id"]) if claims.get("user_id") else None

    def clear_session(self) -> None:
        for key in AUTH_KEYS:
            self.state.pop(key, None)

    # -- transport ------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept", "application/json")
        if self.client_address:
            headers["X-Forwarded-For"] = self.client_address
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self._http.request(
                method,
                self._url(path),
                headers=headers,
                timeout=timeout or self._timeout,
                **kwargs,
            )
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(
                "The complaints service is taking too long to answer. Please try again."
            ) from exc
        except httpx.HTTPError as exc:
            raise ApiUnavailable(
                "Cannot reach the complaints service. Check your connection and try again."
            ) from exc

    def _access_expired(self) -> bool:
        exp = decode_jwt_claims(self.state.get(ACCESS_KEY) or "").get("exp")
        return isinstance(exp, int | float) and exp - EXPIRY_LEEWAY <= time.time()

    def request(
        self, method: str, path: str, *, auth: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """Send a request; refresh the access token once on 401; raise typed errors."""
        if not auth:
            response = self._send(method, path, **kwargs)
        else:
            if not self.is_authenticated:
                raise SessionExpired("Please log in.")
            if self._access_expired():
                self.refresh()
            response = self._send(method, path, token=self.state[ACCESS_KEY], **kwargs)
            if response.status_code == HTTPStatus.UNAUTHORIZED:
                self.refresh()
                response = self._send(method, path, token=self.state[ACCESS_KEY], **kwargs)
                if response.status_code == HTTPStatus.UNAUTHORIZED:
                    self.clear_session()
                    raise SessionExpired("Your session has ended. Please log in again.")
        if response.is_success:
            return response
        raise error_from_response(response)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code == HTTPStatus.NO_CONTENT or not response.content:
            return None
        return response.json()

    def _all_pages(self, path: str, *, max_pages: int | None = None) -> Page:
        """Every item of a paginated list, reading up to ``max_pages`` (``MAX_PAGES``) of 100.

        ``count`` is the server's total; when the limit stopped the reading, ``next`` is the
        page that would have come next, so a caller can say that there is more. Pages are
        asked for by number (not by following ``next``), so the base URL stays ours.
        """
        items: list[dict[str, Any]] = []
        page = Page(count=0, results=[], next=None, previous=None)
        for number in range(1, (max_pages or MAX_PAGES) + 1):
            params = {"page": number, "page_size": MAX_PAGE_SIZE}
            page = Page.from_payload(self._json("GET", path, params=params))
            items.extend(page.results)
            if not page.next:
                break
        return Page(
            count=page.count,
            results=items,
            next=page.next,
            previous=None,
            count_is_exact=page.count_is_exact,
        )

    # -- auth -----------------------------------------------------------------------------

    def register(self, *, email: str, password: str, full_name: str, phone: str = "") -> str:
        """Sign up; returns the API's message (the same whether or not the email was taken)."""
        body = {"email": email, "password": password, "full_name": full_name}
        if phone:
            body["phone"] = phone
        return str(self._json("POST", "/api/users/", json=body, auth=False).get("detail", ""))

    def verify_email(self, *, token: str) -> dict[str, Any]:
        return self._json("POST", "/api/users/verify-email/", json={"token": token}, auth=False)

    def resend_verification(self) -> str:
        return str(self._json("POST", "/api/users/verify-email/resend/").get("detail", ""))

    def request_password_reset(self, *, email: str) -> str:
        answer = self._json("POST", "/api/users/password-reset/", json={"email": email}, auth=False)
        return str(answer.get("detail", ""))

    def confirm_password_reset(self, *, token: str, new_password: str) -> None:
        self._json(
            "POST",
            "/api/users/password-reset/confirm/",
            json={"token": token, "new_password": new_password},
            auth=False,
        )

    def change_password(self, *, old_password: str, new_password: str) -> None:
        self._json(
            "POST",
            "/api/users/me/password/",
            json={"old_password": old_password, "new_password": new_password},
        )

    def deferred_download(self, path: str) -> Callable[[], bytes]:
        """A download to run later, outside this session (Streamlit's deferred download
        buttons call it on click): it carries the current access token and never refreshes,
        so the session's refresh token is not rotated behind its back."""
        if self._access_expired():
            self.refresh()
        token = self.state.get(ACCESS_KEY)

        def fetch() -> bytes:
            response = self._send(
                "GET", path, token=token, headers={"Accept": "*/*"}, timeout=UPLOAD_TIMEOUT
            )
            if not response.is_success:
                raise error_from_response(response)
            return response.content

        return fetch

    def delete_me(self) -> None:
        self._json("DELETE", "/api/users/me/")

    # -- browser session (see docs/architecture.md, "Sessions in the browser") -------------

    def start_browser_session(self) -> str:
        """A one-time ticket the browser redeems for the HttpOnly session cookie."""
        return str(self._json("POST", "/api/auth/browser-session/")["ticket"])

    def resume_browser_session(self, *, secret: str) -> bool:
        """Trade the session cookie's value for tokens; False when the session is over."""
        response = self._send("POST", "/api/auth/browser-session/resume/", json={"session": secret})
        if response.status_code in (400, 401, 429):
            return False
        if not response.is_success:
            raise error_from_response(response)
        tokens = response.json()
        self._store_tokens(tokens["access"], tokens.get("refresh"))
        return True

    def login(self, *, email: str, password: str) -> str | None:
        """Obtain tokens and store them; returns the role from the access token."""
        tokens = self._json(
            "POST", "/api/token/", json={"email": email, "password": password}, auth=False
        )
        self._store_tokens(tokens["access"], tokens.get("refresh"))
        return self.role

    def refresh(self) -> None:
        """Rotate tokens; on refusal clear the session and raise :class:`SessionExpired`."""
        refresh = self.state.get(REFRESH_KEY)
        if not refresh:
            self.clear_session()
            raise SessionExpired("Your session has ended. Please log in again.")
        response = self._send("POST", "/api/token/refresh/", json={"refresh": refresh})
        if response.status_code in (400, 401, 403):
            self.clear_session()
            raise SessionExpired("Your session has expired. Please log in again.")
        if not response.is_success:
            raise error_from_response(response)
        tokens = response.json()
        # Rotation: the old refresh token is blacklisted, always keep the new one.
        self._store_tokens(tokens["access"], tokens.get("refresh"))

    def logout(self) -> bool:
        """Log out everywhere (every browser session and refresh token) and forget the session.

        The local session is always cleared; returns whether the server confirmed it (False
        when it was unreachable or the session was already dead).
        """
        try:
            if not self.is_authenticated:
                return False
            self.request("POST", "/api/auth/logout/")
            return True
        except ApiError:
            return False
        finally:
            self.clear_session()

    def me(self) -> dict[str, Any]:
        return self._json("GET", "/api/users/me/")

    def update_me(self, **fields: Any) -> dict[str, Any]:
        return self._json("PATCH", "/api/users/me/", json=fields)

    def notification_preferences(self) -> list[dict[str, Any]]:
        """``[{kind, description, email}]``: the notifications the caller can receive."""
        return self._json("GET", "/api/users/me/notification-preferences/")["kinds"]

    def update_notification_preferences(self, *, email: dict[str, bool]) -> list[dict[str, Any]]:
        """Turn email on (True) or off (False) per kind; the preferences after the change."""
        path = "/api/users/me/notification-preferences/"
        return self._json("PATCH", path, json={"email": email})["kinds"]

    def list_handlers(self, *, page: int = 1, page_size: int | None = None) -> Page:
        """One page of active staff: ``{id, full_name, role, open_assigned}`` (staff only)."""
        params: dict[str, Any] = {"page": page}
        if page_size:
            params["page_size"] = min(page_size, MAX_PAGE_SIZE)
        return Page.from_payload(self._json("GET", "/api/users/handlers/", params=params))

    def all_handlers(self, *, max_pages: int = 10) -> list[dict[str, Any]]:
        """Every active staff member (up to ``max_pages`` pages of 100), sorted by name.

        The API cannot order by name (names are encrypted at rest), so the sort is done here.
        """
        handlers = self._all_pages("/api/users/handlers/", max_pages=max_pages).results
        return sorted(handlers, key=lambda h: (str(h.get("full_name") or "").casefold(), h["id"]))

    # -- complaints -----------------------------------------------------------------------

    def list_complaints(  # noqa: PLR0913 - one keyword per filter of the list endpoint
        self,
        *,
        status: list[str] | str | None = None,
        priority: str | None = None,
        category: int | str | None = None,
        assignee: str | None = None,
        created_after: str | None = None,
        created_before: str | None = None,
        overdue: bool = False,
        q: str | None = None,
        ordering: str | None = None,
        review: str | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> Page:
        params: dict[str, Any] = {"page": page}
        if status:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        optional = {
            "priority": priority,
            "category": category,
            "assignee": assignee,
            "created_after": created_after,
            "created_before": created_before,
            "q": q.strip() if q else None,
            "ordering": ordering,
            "review": review,
            "page_size": min(page_size, 100) if page_size else None,
        }
        params.update({k: v for k, v in optional.items() if v not in (None, "")})
        if overdue:
            params["overdue"] = "true"
        return Page.from_payload(self._json("GET", "/api/complaints/", params=params))

    def create_complaint(
        self,
        *,
        category: int | str,
        title: str,
        description: str,
        idempotency_key: str,
        remedy_sought: str = "",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"category": category, "title": title, "description": description}
        if remedy_sought:
            body["remedy_sought"] = remedy_sought
        return self._json(
            "POST", "/api/complaints/", json=body, headers={"Idempotency-Key": idempotency_key}
        )

    def get_complaint(self, complaint_id: str) -> dict[str, Any]:
        return self._json("GET", f"/api/complaints/{complaint_id}/")

    def mark_seen(self, complaint_id: str) -> None:
        """Staff: the complaint's customer activity so far is read (clears the queue marker)."""
        self.request("POST", f"/api/complaints/{complaint_id}/seen/")

    def get_complaint_by_reference(self, reference: str) -> dict[str, Any]:
        return self._json("GET", f"/api/complaints/by-ref/{reference.strip()}/")

    def update_complaint(self, complaint_id: str, **fields: Any) -> dict[str, Any]:
        return self._json("PATCH", f"/api/complaints/{complaint_id}/", json=fields)

    def transition(
        self, complaint_id: str, *, to_status: str, reason: str = "", remedy_outcome: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"to_status": to_status}
        if reason:
            body["reason"] = reason
        if remedy_outcome:
            body["remedy_outcome"] = remedy_outcome
        return self._json("POST", f"/api/complaints/{complaint_id}/transition/", json=body)

    def request_review(self, complaint_id: str, *, reason: str) -> dict[str, Any]:
        """The customer asks for an internal review of the final answer (once)."""
        return self._json(
            "POST", f"/api/complaints/{complaint_id}/review/", json={"reason": reason}
        )

    def conclude_review(
        self, complaint_id: str, *, outcome: str, note: str, remedy_outcome: str = ""
    ) -> dict[str, Any]:
        body = {"outcome": outcome, "note": note}
        if remedy_outcome:
            body["remedy_outcome"] = remedy_outcome
        return self._json("POST", f"/api/complaints/{complaint_id}/review/conclude/", json=body)

    def assign(self, complaint_id: str, *, assignee_id: str | None) -> dict[str, Any]:
        return self._json(
            "POST", f"/api/complaints/{complaint_id}/assign/", json={"assignee_id": assignee_id}
        )

    def merge(self, complaint_id: str, *, into_reference: str) -> dict[str, Any]:
        """Merge the complaint (a duplicate) into the one with ``into_reference`` (staff)."""
        return self._json(
            "POST",
            f"/api/complaints/{complaint_id}/merge/",
            json={"into_reference": into_reference},
        )

    def list_comments(self, complaint_id: str, *, max_pages: int | None = None) -> Page:
        return self._all_pages(f"/api/complaints/{complaint_id}/comments/", max_pages=max_pages)

    def add_comment(
        self, complaint_id: str, *, body: str, internal: bool = False, idempotency_key: str
    ) -> dict[str, Any]:
        return self._json(
            "POST",
            f"/api/complaints/{complaint_id}/comments/",
            json={"body": body, "internal": internal},
            headers={"Idempotency-Key": idempotency_key},
        )

    def attachment_rules(self) -> dict[str, Any]:
        """``{max_bytes, types: [{content_type, extensions}]}`` as the API enforces them."""
        return self._json("GET", "/api/attachments/rules/")

    def canned_responses_for(self, complaint_id: str) -> list[dict[str, Any]]:
        """Staff: the canned responses offered on a complaint, ``rendered_body`` filled in."""
        return self._json("GET", f"/api/complaints/{complaint_id}/canned-responses/")

    def canned_responses(self) -> list[dict[str, Any]]:
        """Staff: every canned response (supervisors see inactive ones too)."""
        return self._all_pages("/api/canned-responses/").results

    def canned_placeholders(self) -> list[dict[str, str]]:
        """``[{name, description}]``: the placeholders a canned response body may use."""
        return self._json("GET", "/api/canned-responses/placeholders/")

    def create_canned_response(self, **fields: Any) -> dict[str, Any]:
        return self._json("POST", "/api/canned-responses/", json=fields)

    def update_canned_response(self, canned_id: int, **fields: Any) -> dict[str, Any]:
        return self._json("PATCH", f"/api/canned-responses/{canned_id}/", json=fields)

    def delete_canned_response(self, canned_id: int) -> None:
        self._json("DELETE", f"/api/canned-responses/{canned_id}/")

    def list_attachments(self, complaint_id: str, *, max_pages: int | None = None) -> Page:
        return self._all_pages(f"/api/complaints/{complaint_id}/attachments/", max_pages=max_pages)

    def upload_attachment(
        self, complaint_id: str, *, filename: str, content: bytes, content_type: str
    ) -> dict[str, Any]:
        return self._json(
            "POST",
            f"/api/complaints/{complaint_id}/attachments/",
            files={"file": (filename, content, content_type or "application/octet-stream")},
            timeout=UPLOAD_TIMEOUT,
        )

    def download_attachment(self, attachment_id: str) -> bytes:
        return self.request(
            "GET",
            f"/api/attachments/{attachment_id}/download/",
            headers={"Accept": "*/*"},
            timeout=UPLOAD_TIMEOUT,
        ).content

    def attachment_download(self, attachment_id: str) -> Callable[[], bytes]:
        return self.deferred_download(f"/api/attachments/{attachment_id}/download/")

    def my_data_download(self) -> Callable[[], bytes]:
        return self.deferred_download("/api/users/me/export/")

    def history(self, complaint_id: str, *, max_pages: int | None = None) -> Page:
        return self._all_pages(f"/api/complaints/{complaint_id}/history/", max_pages=max_pages)

    def give_feedback(self, complaint_id: str, *, rating: int, comment: str = "") -> Any:
        body: dict[str, Any] = {"rating": rating}
        if comment:
            body["comment"] = comment
        return self._json("POST", f"/api/complaints/{complaint_id}/feedback/", json=body)

    def categories(self) -> list[dict[str, Any]]:
        return self._all_pages("/api/categories/").results

    def sla_calendars(self) -> list[dict[str, Any]]:
        """Supervisors: every SLA calendar, with its hours, holidays and ``category_ids``."""
        return self._all_pages("/api/sla-calendars/").results

    def create_sla_calendar(self, **fields: Any) -> dict[str, Any]:
        return self._json("POST", "/api/sla-calendars/", json=fields)

    def update_sla_calendar(self, calendar_id: int, **fields: Any) -> dict[str, Any]:
        return self._json("PATCH", f"/api/sla-calendars/{calendar_id}/", json=fields)

    def delete_sla_calendar(self, calendar_id: int) -> None:
        self._json("DELETE", f"/api/sla-calendars/{calendar_id}/")

    def workflow(self) -> dict[str, Any]:
        """Statuses (value, label, open, final, reason_required) and priorities."""
        return self._json("GET", "/api/workflow/")

    def stats(self, *, days: int | None = None) -> Mapping[str, Any]:
        params = {"days": days} if days else None
        return self._json("GET", "/api/stats/", params=params)
