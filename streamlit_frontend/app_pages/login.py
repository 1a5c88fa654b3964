"""Log in with email and password; then open the page a link asked for, or home."""

import streamlit as st

from streamlit_frontend import ui

st.title("Log in")
st.caption("Follow your complaints, or work the queue if you are part of the team.")

with st.form("login_form"):
    email = st.text_input("Email", key="login_email", autocomplete="username")
    email_err = st.empty()
    password = st.text_input(
        "Password", type="password", key="login_password", autocomplete="current-password"
    )
    password_err = st.empty()
    submitted = st.form_submit_button("Log in", type="primary", key="login_submit")
    form_err = st.empty()

if submitted:
    if not email.strip() or not password:
        form_err.error("Enter your email and password.")
    else:
        api = ui.client()
        result = ui.attempt(
            lambda: api.login(email=email.strip(), password=password),
            spinner="Logging in...",
            field_slots={"email": email_err, "password": password_err},
            where=form_err,
        )
        if result.ok:
            ui.after_login(api)
            st.session_state.pop("login_password", None)
            ui.flash(f"Welcome, {st.session_state[ui.USER_NAME_KEY]}!")
            ui.go_after_login(api)

left, right = st.columns(2)
left.page_link("app_pages/signup.py", label="No account yet? Sign up", icon=":material/person_add:")
right.page_link(
    "app_pages/forgot_password.py", label="Forgot password?", icon=":material/lock_reset:"
)
