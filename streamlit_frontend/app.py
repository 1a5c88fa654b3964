"""Entry point: ``streamlit run streamlit_frontend/app.py``.

Talks to the REST API at ``API_BASE_URL`` (default http://127.0.0.1:8000) over HTTP only.
The pages offered depend on who is logged in (the role in the access token).
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

login = st.Page("app_pages/login.py", title="Log in", icon=":material/login:", default=True)
signup = st.Page("app_pages/signup.py", title="Sign up", icon=":material/person_add:")
detail = st.Page("app_pages/complaint_detail.py", title="Complaint", icon=":material/description:")
account = st.Page("app_pages/account.py", title="My account", icon=":material/account_circle:")

if not api.is_authenticated:
    pages = {"Welcome": [login, signup]}
elif api.is_handler:
    work = [
        st.Page("app_pages/queue.py", title="Queue", icon=":material/inbox:", default=True),
        detail,
    ]
    if api.sees_dashboard:
        work.append(
            st.Page("app_pages/dashboard.py", title="Dashboard", icon=":material/monitoring:")
        )
    pages = {"Work": work, "Account": [account]}
else:
    pages = {
        "Complaints": [
            st.Page(
                "app_pages/my_complaints.py",
                title="My complaints",
                icon=":material/list_alt:",
                default=True,
            ),
            st.Page(
                "app_pages/new_complaint.py", title="New complaint", icon=":material/add_circle:"
            ),
            detail,
        ],
        "Account": [account],
    }

page = st.navigation(pages)

if api.is_authenticated:
    with st.sidebar:
        st.caption(f"Signed in as **{st.session_state.get('user_name') or 'you'}** ({api.role})")
        if st.button("Log out", key="logout", icon=":material/logout:"):
            confirmed = api.logout()
            for key in list(st.session_state.keys()):
                if key != ui.BASE_URL_KEY:
                    del st.session_state[key]
            ui.flash(
                "You have been logged out."
                if confirmed
                else "You have been logged out on this device.",
                "info",
            )
            st.rerun()

ui.show_flash()

try:
    page.run()
except SessionExpired as exc:
    api.clear_session()
    ui.flash(str(exc) or "Please log in again.", "warning")
    st.rerun()
except ApiError as exc:
    # Anything a page did not handle itself: a friendly message instead of a stack trace.
    ui.show_error(exc)
