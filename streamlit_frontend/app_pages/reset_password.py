"""Choose a new password from the emailed link (``?token=...``)."""

import streamlit as st

from streamlit_frontend import ui

st.title("Choose a new password")
token = st.query_params.get("token", "")
if not token:
    st.error("This page needs the link from the password-reset email.")
    st.page_link("app_pages/forgot_password.py", label="Ask for a new link")
    st.stop()

with st.form("reset_form"):
    password = st.text_input(
        "New password",
        type="password",
        key="reset_password",
        autocomplete="new-password",
        help="At least 8 characters; not too common and not similar to your name or email.",
    )
    errors = {"new_password": st.empty()}
    password2 = st.text_input(
        "Repeat new password", type="password", key="reset_password2", autocomplete="new-password"
    )
    errors["password2"] = st.empty()
    submitted = st.form_submit_button("Set password", type="primary", key="reset_submit")
    form_err = st.empty()

if submitted:
    if not password:
        errors["new_password"].error("Choose a new password.")
    elif password != password2:
        errors["password2"].error("The passwords do not match.")
    else:
        api = ui.client()
        done = ui.attempt(
            lambda: api.confirm_password_reset(token=token, new_password=password),
            spinner="Saving...",
            field_slots=errors,
            where=form_err,
        )
        if done.ok:
            # Every session of the account has just ended, this one included.
            ui.logout(api)
            ui.flash("Your password has been changed. Log in with the new one.")
            st.switch_page("app_pages/login.py")
        elif done.error and (done.error.payload or {}).get("code") in (
            "token_invalid",
            "token_expired",
        ):
            st.page_link("app_pages/forgot_password.py", label="Ask for a new link")
