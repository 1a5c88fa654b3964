"""Entry point: ``streamlit run streamlit_frontend/app.py``.

Talks to the REST API at ``API_BASE_URL`` (default http://127.0.0.1:8000) over HTTP only.
The pages offered depend on who is logged in (the role in the access token). A reload or a
link opened in a new tab logs in again from the browser-session cookie (``ui.resume_session``);
a page asked for before logging in opens once logged in.
"""

import sys
from pathlib import Path

# `streamlit run` puts this folder on sys.path; the pages import the package by name.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from streamlit_frontend import ui  # noqa: E402
from streamlit_frontend.api_client import ApiError, SessionExpired  # noqa: E402

st.set_page_config(page_title="Complaints", page_icon=":material/support_agent:", layout="wide")

api = ui.client()
ui.resume_session(api)


PUBLIC_TITLES = {
    "login": ("Log in", "login"),
    "signup": ("Sign up", "person_add"),
    "forgot_password": ("Forgot password", "lock_reset"),
    "verify_email": ("Confirm email", "mark_email_read"),
    "reset_password": ("New password", "password"),
}
PUBLIC = set(PUBLIC_TITLES)
SIGNED_IN_ONLY = {
    "my_complaints": ("My complaints", "list_alt"),
    "new_complaint": ("New complaint", "add_circle"),
    "complaint_detail": ("Complaint", "description"),
    "queue": ("Queue", "inbox"),
    "dashboard": ("Dashboard", "monitoring"),
    "account": ("My account", "account_circle"),
    "canned_responses": ("Canned responses", "quickreply"),
    "sla_calendars": ("SLA calendars", "calendar_month"),
}


def page(path: str, **kwargs) -> st.Page:
    title, icon = SIGNED_IN_ONLY.get(path) or PUBLIC_TITLES[path]
    return st.Page(f"app_pages/{path}.py", title=title, icon=f":material/{icon}:", **kwargs)


# Reached from emailed links, logged in or not.
link_pages = ["forgot_password", "verify_email", "reset_password"]

if not api.is_authenticated:
    # Every page is known (hidden) so a link to one is remembered, not "Page not found".
    pages = {
        "Welcome": [
            page("login", default=True),
            page("signup"),
            *(page(p, visibility="hidden") for p in link_pages),
            *(page(p, visibility="hidden") for p in SIGNED_IN_ONLY),
        ]
    }
else:
    if api.is_handler:
        work = [page("queue", default=True), page("complaint_detail")]
        if api.sees_dashboard:
            work.append(page("dashboard"))
        private = {"Work": work}
        if api.manages_settings:
            private["Settings"] = [page("canned_responses"), page("sla_calendars")]
        private["Account"] = [page("account")]
    else:
        private = {
            "Complaints": [
                page("my_complaints", default=True),
                page("new_complaint"),
                page("complaint_detail"),
            ],
            "Account": [page("account")],
        }
    # Login stays reachable (hidden) for the pages that end the session and go there.
    pages = {**private, "": [page(p, visibility="hidden") for p in [*link_pages, "login"]]}

current = st.navigation(pages)

# The default page (login when logged out) has the empty path.
if not api.is_authenticated and current.url_path not in {*PUBLIC, ""}:
    st.session_state[ui.AFTER_LOGIN_KEY] = (current.url_path, st.query_params.to_dict())
    st.switch_page("app_pages/login.py")

if api.is_authenticated and st.query_params.get("complaint"):
    ui.open_complaint(st.query_params["complaint"])  # ?complaint=<id> links

ui.scroll_to_top_on_page_change(current.url_path)

if api.is_authenticated:
    with st.sidebar:
        st.caption(
            f"Signed in as **{st.session_state.get(ui.USER_NAME_KEY) or 'you'}** ({api.role})"
        )
        if st.button("Log out", key="logout", icon=":material/logout:"):
            confirmed = ui.logout(api)
            ui.flash(
                "You have been logged out everywhere."
                if confirmed
                else "You have been logged out on this device.",
                "info",
            )
            st.rerun()
    if st.session_state.get(ui.EMAIL_VERIFIED_KEY) is False and current.url_path != "verify_email":
        ui.verification_banner(api)

with st.sidebar:
    ui.sync_session_cookie()

ui.show_flash()

try:
    current.run()
except SessionExpired as exc:
    api.clear_session()
    ui.flash(str(exc) or "Please log in again.", "warning")
    st.rerun()
except ApiError as exc:
    # Anything a page did not handle itself: a friendly message instead of a stack trace.
    ui.show_error(exc)
