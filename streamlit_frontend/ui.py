"""Streamlit helpers shared by the pages: the client, error display, badges, formatting.

Statuses, their labels and which are open, and the priorities come from ``GET /api/workflow/``
(read once per session by ``require_login``); colours and icons are this app's own.
"""

from __future__ import annotations

import hashlib
import html
import os
import time
import zoneinfo
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from typing import Any, Generic, Literal, TypeAlias, TypeVar, cast
from urllib.parse import urlencode

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
    public_url_from_env,
)

T = TypeVar("T")
HOUR = 3600
KIB = 1024
DAY = 86400

# Session-state keys used by the UI (the client owns the auth_* keys).
BASE_URL_KEY = "api_base_url"  # tests may inject the API address here
FLASH_KEY = "flash"
CURRENT_COMPLAINT_KEY = "current_complaint_id"
USER_NAME_KEY = "user_name"
TIME_ZONE_KEY = "user_time_zone"
EMAIL_VERIFIED_KEY = "user_email_verified"
# Browser session (docs/architecture.md): the ticket to hand to the browser, when it was
# issued, whether the cookie should be dropped, and which cookie value was already tried.
COOKIE_TICKET_KEY = "browser_session_ticket"
FORGET_COOKIE_KEY = "browser_session_forget"
RESUME_TRIED_KEY = "browser_session_tried"
# A page (and its query) asked for before logging in, opened once logged in.
AFTER_LOGIN_KEY = "after_login"
UPLOAD_RULES_KEY = "upload_rules"
LAST_PAGE_KEY = "last_page"
# Keys that survive logging out (the API address tests inject, the tried cookie).
KEEP_ON_LOGOUT = frozenset({"api_base_url", RESUME_TRIED_KEY, FORGET_COOKIE_KEY})
SESSION_COOKIE_NAME = os.environ.get("BROWSER_SESSION_COOKIE_NAME", "complaints_session")
# How long the browser has to redeem a ticket (the API's BROWSER_SESSION_TICKET_SECONDS).
TICKET_SECONDS = 60
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
# Avatars of the conversation: a person on each side, never the robot of Streamlit's
# "assistant" preset (customers would read an agent's reply as a bot's).
STAFF_AVATAR = ":material/support_agent:"
CUSTOMER_AVATAR = ":material/person:"

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

# Names people know for the content types the API accepts (the rules come from the API).
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": "plain text",
}


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
    return ApiClient(
        # The session state is a mutable mapping without declaring it.
        cast(MutableMapping[str, Any], st.session_state),
        base_url=base_url,
        http=_http_client(base_url),
        client_address=_browser_address(),
    )


def _browser_address() -> str | None:
    # None when the browser is on the same host; not a str outside a real session (AppTest).
    address = st.context.ip_address
    return address if isinstance(address, str) else None


# ---------------------------------------------------------------------------------------------
# Calling the API from a page
# ---------------------------------------------------------------------------------------------


@dataclass
class Succeeded(Generic[T]):
    value: T
    ok: Literal[True] = True
    error: None = None


@dataclass
class Failed:
    error: ApiError
    ok: Literal[False] = False
    value: None = None


# Checking ``result.ok`` tells the type checker which of the two it is.
Result: TypeAlias = Succeeded[T] | Failed


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
        return Failed(error=exc)
    return Succeeded(value=value)


# ---------------------------------------------------------------------------------------------
# Choosing a new password (sign-up, reset link, My account)
# ---------------------------------------------------------------------------------------------

STRENGTH_HINT = "At least 8 characters; not too common and not similar to your name or email."


@dataclass(frozen=True)
class PasswordInputs:
    """How one form names its pair of new-password inputs: labels, widget keys, error fields."""

    label: str
    repeat_label: str
    key: str
    field: str
    repeat_field: str
    help: str | None = STRENGTH_HINT


def new_password_inputs(spec: PasswordInputs, errors: MutableMapping[str, Any]) -> tuple[str, str]:
    """The new password and its repetition, each followed by a slot in ``errors`` for its field."""
    password = st.text_input(
        spec.label,
        type="password",
        key=spec.key,
        autocomplete="new-password",
        help=spec.help,
    )
    errors[spec.field] = st.empty()
    repeated = st.text_input(
        spec.repeat_label,
        type="password",
        key=f"{spec.key}2",
        autocomplete="new-password",
    )
    errors[spec.repeat_field] = st.empty()
    return password, repeated


def passwords_differ(password: str, repeated: str, slot: Any) -> bool:
    if password == repeated:
        return False
    slot.error("The passwords do not match.")
    return True


def set_new_password(
    api: ApiClient,
    call: Callable[[], Any],
    *,
    spinner: str,
    field_slots: Mapping[str, Any],
    where: Any,
) -> Result[Any]:
    """Send a password change; it ends every session of the account, this one too, so on success
    the user is sent to log in with the new password."""
    done = attempt(call, spinner=spinner, field_slots=field_slots, where=where)
    if done.ok:
        logout(api)
        flash("Your password has been changed. Log in with the new one.")
        st.switch_page("app_pages/login.py")
    return done


# ---------------------------------------------------------------------------------------------
# The browser session: kept across reloads by an HttpOnly cookie the app reads server-side
# ---------------------------------------------------------------------------------------------


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def remember_user(api: ApiClient) -> None:
    """Load the caller's name, time zone and verification state into the session."""
    me = attempt(api.me, quiet=True)
    user = me.value or {}
    st.session_state[USER_NAME_KEY] = user.get("full_name") or user.get("email") or "you"
    st.session_state[TIME_ZONE_KEY] = user.get("time_zone") or ""
    st.session_state[EMAIL_VERIFIED_KEY] = bool(user.get("email_verified", True))


def resume_session(api: ApiClient) -> None:
    """On a fresh page load (F5, a link, a new tab): log in again from the session cookie.

    Each cookie value is tried once per Streamlit session, so a dead cookie costs one call.
    """
    if api.is_authenticated:
        return
    secret = st.context.cookies.get(SESSION_COOKIE_NAME)
    if (
        not isinstance(secret, str)
        or not secret
        or st.session_state.get(RESUME_TRIED_KEY) == _digest(secret)
    ):
        return
    st.session_state[RESUME_TRIED_KEY] = _digest(secret)
    try:
        resumed = api.resume_browser_session(secret=secret)
    except ApiError:
        return
    if resumed:
        remember_user(api)


def after_login(api: ApiClient) -> None:
    """Bind this browser to the new login: the next render hands it a one-time ticket."""
    remember_user(api)
    ticket = attempt(api.start_browser_session, quiet=True)
    if ticket.ok:
        st.session_state[COOKIE_TICKET_KEY] = (ticket.value, time.monotonic())
    st.session_state.pop(FORGET_COOKIE_KEY, None)


def logout(api: ApiClient) -> bool:
    confirmed = api.logout()
    for key in list(st.session_state.keys()):
        if key not in KEEP_ON_LOGOUT:
            del st.session_state[key]
    st.session_state[FORGET_COOKIE_KEY] = time.monotonic()
    return confirmed


def _hidden_request(url: str) -> None:
    # An image the browser loads from the API (same site): its answer sets or drops the
    # HttpOnly cookie. No JavaScript ever sees the cookie's value.
    st.html(f'<img src="{html.escape(url)}" alt="" width="1" height="1" style="opacity:0">')


def sync_session_cookie() -> None:
    """Render the hidden request that sets or drops the cookie, while it is still useful."""
    base = public_url_from_env()
    pending = st.session_state.get(COOKIE_TICKET_KEY)
    if pending:
        ticket, issued = pending
        if time.monotonic() - issued < TICKET_SECONDS:
            _hidden_request(
                f"{base}/api/auth/browser-session/cookie/?{urlencode({'ticket': ticket})}"
            )
        else:
            st.session_state.pop(COOKIE_TICKET_KEY, None)
    forget = st.session_state.get(FORGET_COOKIE_KEY)
    if forget is not None:
        if time.monotonic() - forget < TICKET_SECONDS:
            _hidden_request(f"{base}/api/auth/browser-session/forget/")
        else:
            st.session_state.pop(FORGET_COOKIE_KEY, None)


def _pages_for(api: ApiClient) -> set[str]:
    if not api.is_handler:
        return {"my_complaints", "new_complaint", "complaint_detail", "account"}
    pages = {"queue", "complaint_detail", "account"}
    if api.sees_dashboard:
        pages.add("dashboard")
    return pages


def go_after_login(api: ApiClient) -> None:
    """Open the page a link asked for before the login (if this user may see it), else home."""
    wanted = st.session_state.pop(AFTER_LOGIN_KEY, None)
    if wanted and wanted[0] in _pages_for(api):
        path, params = wanted
    else:
        path, params = ("queue" if api.is_handler else "my_complaints"), {}
    st.switch_page(f"app_pages/{path}.py", query_params=params)


def verification_banner(api: ApiClient) -> None:
    box = st.warning(
        "Please confirm your email address: open the link we emailed you. Until then you "
        "can look around, but not file a complaint.",
        icon=":material/mark_email_unread:",
    )
    if st.button("Email me the link again", key="resend_verification"):
        sent = attempt(api.resend_verification, spinner="Sending...", where=box)
        if sent.ok:
            box.info(sent.value or "A new link is on its way.")


def scroll_to_top_on_page_change(page_path: str) -> None:
    """Start every page at the top (Streamlit keeps the previous page's scroll position)."""
    if st.session_state.get(LAST_PAGE_KEY) == page_path:
        return
    st.session_state[LAST_PAGE_KEY] = page_path
    st.html(
        "<script>"
        "for (const el of [window.parent.document.querySelector('[data-testid=stMain]'),"
        " document.querySelector('[data-testid=stMain]'), document.scrollingElement])"
        " { if (el) el.scrollTop = 0; }"
        "window.scrollTo(0, 0);"
        "</script>",
        unsafe_allow_javascript=True,
    )


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


def organisation_time_zone() -> str:
    return os.environ.get("TIME_ZONE", "UTC")


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_names() -> list[str]:
    return sorted(_zone_names())


def browser_time_zone() -> str | None:
    name = st.context.timezone
    return name if isinstance(name, str) and name in _zone_names() else None


def display_time_zone() -> str:
    """The zone times are shown in: the user's choice, else the browser's, else the org's."""
    return st.session_state.get(TIME_ZONE_KEY) or browser_time_zone() or organisation_time_zone()


def fmt_dt(value: str | None) -> str:
    """A time in the user's zone, with the zone named (``03 Mar 2026, 14:05 CET``)."""
    dt = parse_dt(value)
    if dt is None:
        return "-"
    zone = display_time_zone()
    local = dt.astimezone(zoneinfo.ZoneInfo(zone if zone in _zone_names() else "UTC"))
    return f"{local:%d %b %Y, %H:%M} {local.tzname()}"


def fmt_size(size: int | float | None) -> str:
    """Bytes for people: 512 B, 1.5 KB, 10 MB (1 KB = 1024 B, as file managers show it)."""
    size = float(size or 0)
    if size < KIB:
        return f"{size:.0f} B"
    for unit in ("KB", "MB", "GB"):
        size /= KIB
        if size < KIB or unit == "GB":
            return f"{size:.1f} {unit}".replace(".0 ", " ")
    return f"{size:.1f} GB"


# ---------------------------------------------------------------------------------------------
# Attachments: checked against the API's own rules before anything is sent
# ---------------------------------------------------------------------------------------------


def upload_rules(api: ApiClient) -> dict[str, Any]:
    rules = st.session_state.get(UPLOAD_RULES_KEY)
    if rules is None:
        rules = api.attachment_rules()
        st.session_state[UPLOAD_RULES_KEY] = rules
    return rules


def upload_limit_mb(rules: Mapping[str, Any]) -> int:
    """The API's limit in whole MB, for Streamlit's own uploader caption and check."""
    return max(1, -(-int(rules["max_bytes"]) // (1024 * 1024)))


def upload_help(rules: Mapping[str, Any]) -> str:
    names = [TYPE_NAMES.get(t["content_type"], t["content_type"]) for t in rules["types"]]
    kinds = ", ".join(names[:-1]) + (f" or {names[-1]}" if len(names) > 1 else names[0])
    return f"{kinds}; up to {fmt_size(rules['max_bytes'])} per file."


def upload_problems(files: list[Any], rules: Mapping[str, Any]) -> list[str]:
    """A sentence per file the API would refuse (by its name's type or its size)."""
    extensions = sorted({ext for t in rules["types"] for ext in t["extensions"]})
    problems = []
    for f in files:
        ext = os.path.splitext(f.name)[1].lower()
        if ext not in extensions:
            problems.append(
                f"**{f.name}** cannot be attached: only {upload_help(rules).split(';')[0]} "
                f"files ({', '.join(extensions)})."
            )
        elif f.size > rules["max_bytes"]:
            problems.append(
                f"**{f.name}** is {fmt_size(f.size)}; the limit is "
                f"{fmt_size(rules['max_bytes'])} per file."
            )
        elif f.size == 0:
            problems.append(f"**{f.name}** is empty.")
    return problems


def upload_all(api: ApiClient, complaint_id: str, files: list[Any]) -> list[tuple[str, str]]:
    """Send each file to the complaint; the (name, reason) of every one the API refused."""
    failed = []
    for f in files:
        sent = attempt(
            partial(
                api.upload_attachment,
                complaint_id,
                filename=f.name,
                content=f.getvalue(),
                content_type=f.type,
            ),
            spinner=f"Uploading {f.name}...",
            quiet=True,
        )
        if not sent.ok:
            failed.append((f.name, sent.error.message))
    return failed


def duration_unit(seconds: float) -> tuple[str, int]:
    """The unit ``fmt_duration`` writes ``seconds`` in, and that unit's length in seconds."""
    if seconds < HOUR:
        return "min", 60
    if seconds < DAY * 2:
        return "h", HOUR
    return "days", DAY


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    unit, length = duration_unit(float(seconds))
    digits = 0 if unit == "min" else 1
    return f"{float(seconds) / length:.{digits}f} {unit}"


def person(value: Any) -> str:
    """A person as the API names them (its ``display_name``: staff with their title)."""
    if isinstance(value, Mapping):
        return str(
            value.get("display_name") or value.get("full_name") or value.get("email") or "Someone"
        )
    if value:
        return str(value)
    return "System"
