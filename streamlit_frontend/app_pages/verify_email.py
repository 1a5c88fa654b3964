"""Confirm the email address from the emailed link (``?token=...``)."""

import streamlit as st

from streamlit_frontend import ui

st.title("Confirm your email")
token = st.query_params.get("token", "")
api = ui.client()
if not token:
    st.error("This page needs the link from the confirmation email.")
    st.stop()

# A link is used once: remember the answer for this token across reruns.
done_key = f"verified_{hash(token)}"
if done_key not in st.session_state:
    result = ui.attempt(lambda: api.verify_email(token=token), spinner="Confirming...")
    st.session_state[done_key] = result.ok
    if result.ok and api.is_authenticated:
        st.session_state[ui.EMAIL_VERIFIED_KEY] = True
    if not result.ok:
        if api.is_authenticated:
            st.caption("You can ask for a new link on My account.")
        st.stop()

if st.session_state[done_key]:
    st.success("Thank you: your email address is confirmed.", icon=":material/verified:")
    if api.is_authenticated and not api.is_handler:
        st.page_link("app_pages/new_complaint.py", label="File a complaint")
    elif not api.is_authenticated:
        st.page_link("app_pages/login.py", label="Log in", icon=":material/login:")
else:
    st.error("This link is not valid or has already been used.")
