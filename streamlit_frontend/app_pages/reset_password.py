"""Choose a new password from the emailed link (``?token=...``)."""

from typing import Any

import streamlit as st

from streamlit_frontend import ui

st.title("Choose a new password")
token = st.query_params.get("token", "")
if not token:
    st.error("This page needs the link from the password-reset email.")
    st.page_link("app_pages/forgot_password.py", label="Ask for a new link")
    st.stop()

with st.form("reset_form"):
    errors: dict[str, Any] = {}
    password, password2 = ui.new_password_inputs(
        ui.PasswordInputs(
            label="New password",
            repeat_label="Repeat new password",
            key="reset_password",
            field="new_password",
            repeat_field="password2",
        ),
        errors,
    )
    submitted = st.form_submit_button("Set password", type="primary", key="reset_submit")
    form_err = st.empty()

if submitted:
    if not password:
        errors["new_password"].error("Choose a new password.")
    elif not ui.passwords_differ(password, password2, errors["password2"]):
        api = ui.client()
        done = ui.set_new_password(
            api,
            lambda: api.confirm_password_reset(token=token, new_password=password),
            spinner="Saving...",
            field_slots=errors,
            where=form_err,
        )
        if done.error and (done.error.payload or {}).get("code") in (
            "token_invalid",
            "token_expired",
        ):
            st.page_link("app_pages/forgot_password.py", label="Ask for a new link")
