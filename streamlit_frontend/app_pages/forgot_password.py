"""Ask for a password-reset link (the answer does not tell whether the address is known)."""

import streamlit as st

from streamlit_frontend import ui

st.title("Forgot password")
st.caption("We will email you a link to choose a new password.")

with st.form("forgot_form"):
    email = st.text_input("Email", key="forgot_email", autocomplete="email")
    email_err = st.empty()
    submitted = st.form_submit_button("Email me a link", type="primary", key="forgot_submit")
    form_err = st.empty()

if submitted:
    if not email.strip():
        email_err.error("Enter the email address of your account.")
    else:
        api = ui.client()
        sent = ui.attempt(
            lambda: api.request_password_reset(email=email.strip()),
            spinner="Sending...",
            field_slots={"email": email_err},
            where=form_err,
        )
        if sent.ok:
            st.success(sent.value or "Check your inbox.", icon=":material/mark_email_read:")

st.page_link("app_pages/login.py", label="Back to log in", icon=":material/login:")
