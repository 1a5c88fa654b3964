"""Streamlit helpers shared by the pages: the client, error display, badges, formatting.

Statuses, their labels and which are open, and the priorities come from ``GET /api/workflow/``
(read once per session by ``require_login``); colours and icons are this app's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

import httpx
import streamlit as st

from streamlit_frontend.api_client import (
    DEFAULT_TIMEOUT,
    ApiAuthError,
    ApiClient,
    ApiConflict,
    ApiError,
    ApiFileRejected,
    ApiNotFound,
    ApiPermissionDenied,
    ApiRateLimited,
    ApiUnavailable,
    ApiValidationError,
    SessionExpired,
    base_url_from_env,
)

T = TypeVar("T")

# Session-state keys used by the UI (the client owns the auth_* keys).
BASE_URL_KEY = "api_base_url"  # tests may inject the API address here
FLASH_KEY = "flash"
CURRENT_COMPLAINT_KEY = "current_complaint_id"
WORKFLOW_KEY = "workflow"

STATUS_COLORS = {
    "new": "blue",
    "acknowledged": "violet",
    "in_progress": "orange",
    "awaiting_customer": "yellow",
    "resolved": "green",
    "closed": "gray",
    "reopened": "orange",
    "rejected": "red",
    "withdrawn": "gray",
}
STATUS_ICONS = {
    "new": ":material/fiber_new:",
    "acknowledged": ":material/visibility:",
    "in_progress": ":material/autorenew:",
    "awaiting_customer": ":material/hourglass_top:",
    "resolved": ":material/check_circle:",
    "closed": ":material/lock:",
    "reopened": ":material/replay:",
    "rejected": ":material/block:",
    "withdrawn": ":material/undo:",
}
PRIORITY_COLORS = {"low": "gray", "normal": "blue", "high": "orange", "urgent": "red"}

# Button text for a move, from the point of view of whoever may make it.
TRANSITION_LABELS = {
    "acknowledged": "Acknowledge",
    "in_progress": "Start / resume work",
    "awaiting_customer": "Wait for customer",
    "resolved": "Resolve",
    "rejected": "Reject",
    "closed": "Close",
    "reopened": "Reopen",
    "withdrawn": "Withdraw complaint",
}
CUSTOMER_TRANSITION_LABELS = {
    **TRANSITION_LABELS,
    "closed": "Accept resolution and close",
    "reopened": "Not solved - reopen",
}

# Upload limits as announced by the API contract.
MAX_UPLOAD_MB = 10
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
UPLOAD_TYPES = ["pdf", "png", "jpg", "jpeg", "txt"]
UPLOAD_HELP = f"PDF, PNG, JPEG or plain text; up to {MAX_UPLOAD_MB} MB per file."


# ---------------------------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _http_client(base_url: str) -> httpx.Client:
    # One connection pool per API address, shared by all sessions (tokens go per request).
    return httpx.Client(timeout=DEFAULT_TIMEOUT)


def api_base_url() -> str:
    return str(st.session_state.get(BASE_URL_KEY) or base_url_from_env()).rstrip("/")


def client() -> ApiClient:
    base_url = api_base_url()
    return ApiClient(st.session_state, base_url=base_url, http=_http_client(base_url))


# ---------------------------------------------------------------------------------------------
# Calling the API from a page
# ---------------------------------------------------------------------------------------------


@dataclass
class Result(Generic[T]):
    ok: bool
    value: T | None = None
    error: ApiError | None = None


def flash(message: str, kind: str = "success") -> None:
    """A message shown once, on the next page render (survives st.rerun/st.switch_page)."""
    st.session_state[FLASH_KEY] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(FLASH_KEY, None)
    if item:
        kind, message = item
        getattr(st, kind if kind in {"success", "info", "warning", "error"} else "info")(message)


def rate_limit_message(exc: ApiRateLimited) -> str:
    if exc.retry_after:
        return f"Slow down - too many requests. Please retry in {exc.retry_after} s."
    return "Slow down - too many requests. Please retry in a little while."


def show_error(
    exc: ApiError,
    *,
    field_slots: Mapping[str, Any] | None = None,
    where: Any = None,
) -> None:
    """Render an API error: field messages next to their fields, the rest in ``where``."""
    target = where if where is not None else st
    if isinstance(exc, ApiValidationError):
        leftovers: list[str] = []
        for field, messages in exc.field_errors.items():
            slot = (field_slots or {}).get(field)
            if slot is not None:
                slot.error("\n\n".join(messages))
            elif field in ("detail", "non_field_errors"):
                leftovers.extend(messages)
            else:
                leftovers.extend(f"{field.replace('_', ' ').capitalize()}: {m}" for m in messages)
        target.error("\n\n".join(leftovers) if leftovers else exc.message)
    elif isinstance(exc, ApiRateLimited):
        target.warning(rate_limit_message(exc), icon=":material/speed:")
    elif isinstance(exc, ApiUnavailable):
        target.error(exc.message, icon=":material/cloud_off:")
    elif isinstance(exc, ApiConflict):
        now = status_label(exc.current_status) if exc.current_status else "unknown"
        allowed = ", ".join(status_label(s) for s in exc.allowed) or "none"
        target.warning(
            f"{exc.message} The complaint is now **{now}**; possible next steps: {allowed}."
        )
    elif isinstance(exc, ApiNotFound | ApiPermissionDenied | ApiFileRejected | ApiAuthError):
        target.error(exc.message)
    else:
        target.error(exc.message)


def attempt(
    fn: Callable[[], T],
    *,
    spinner: str | None = None,
    field_slots: Mapping[str, Any] | None = None,
    where: Any = None,
    quiet: bool = False,
) -> Result[T]:
    """Run one API call with a spinner; show any error instead of crashing.

    ``SessionExpired`` is re-raised so that the app shell can send the user to log in.
    """
    try:
        if spinner:
            with st.spinner(spinner):
                value = fn()
        else:
            value = fn()
    except SessionExpired:
        raise
    except ApiError as exc:
        if not quiet:
            show_error(exc, field_slots=field_slots, where=where)
        return Result(ok=False, error=exc)
    return Result(ok=True, value=value)


def require_login() -> ApiClient:
    api = client()
    if not api.is_authenticated:
        raise SessionExpired("Please log in.")
    load_workflow(api)
    return api


# ---------------------------------------------------------------------------------------------
# The workflow vocabulary, as the API describes it
# ---------------------------------------------------------------------------------------------


def load_workflow(api: ApiClient) -> None:
    """Read ``GET /api/workflow/`` once per session; tried again next run if it failed."""
    if WORKFLOW_KEY not in st.session_state:
        loaded = attempt(api.workflow, quiet=True)
        if loaded.ok and loaded.value:
            st.session_state[WORKFLOW_KEY] = loaded.value


def _workflow(part: str) -> list[Mapping[str, Any]]:
    return list((st.session_state.get(WORKFLOW_KEY) or {}).get(part) or [])


def statuses() -> list[str]:
    """Every status, in workflow order."""
    return [s["value"] for s in _workflow("statuses")]


def open_statuses() -> list[str]:
    """The statuses in which a complaint still waits for the organisation."""
    return [s["value"] for s in _workflow("statuses") if s.get("open")]


def priorities() -> list[str]:
    """Priority values, lowest first."""
    return [p["value"] for p in _workflow("priorities")]


def open_complaint(complaint_id: str) -> None:
    """Go to the complaint detail page."""
    st.session_state[CURRENT_COMPLAINT_KEY] = str(complaint_id)
    st.switch_page("app_pages/complaint_detail.py", query_params={"id": str(complaint_id)})


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def _humanize(value: str) -> str:
    return value.replace("_", " ").capitalize()


def status_label(status: str) -> str:
    labels = {s["value"]: s.get("label") for s in _workflow("statuses")}
    return labels.get(status) or _humanize(status)


def priority_label(priority: str) -> str:
    labels = {p["value"]: p.get("label") for p in _workflow("priorities")}
    return labels.get(priority) or _humanize(priority)


def status_badge(status: str, where: Any = None) -> None:
    (where or st).badge(
        status_label(status),
        icon=STATUS_ICONS.get(status),
        color=STATUS_COLORS.get(status, "gray"),
    )


def status_md(status: str) -> str:
    """Inline markdown badge, usable inside other markdown text."""
    return f":{STATUS_COLORS.get(status, 'gray')}-badge[{status_label(status)}]"


def priority_md(priority: str | None) -> str:
    if not priority:
        return ""
    return f":{PRIORITY_COLORS.get(priority, 'gray')}-badge[{priority_label(priority)}]"


def parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fmt_dt(value: str | None) -> str:
    dt = parse_dt(value)
    return dt.strftime("%d %b %Y, %H:%M UTC") if dt else "-"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def person(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("full_name") or value.get("email") or "Someone")
    if value:
        return str(value)
    return "System"
