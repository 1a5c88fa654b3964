"""Log in with email and password."""

import streamlit as st

from streamlit_frontend import ui

st.title("Log in")
st.caption("Follow your complaints, or work the queue if you are part of the team.")

with st.form("login_form"):
    email = st.text_input("Email", key="login_email", autocomplete="email")
    email_err = st.empty()
    password = st.text_input("Password", type="password", key="login_password")
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
            me = ui.attempt(api.me, quiet=True)
            if me.ok and me.value:
                st.session_state["user_name"] = me.value.get("full_name") or email.strip()
            else:
                st.session_state["user_name"] = email.strip()
            st.session_state.pop("login_password", None)
            ui.flash(f"Welcome, {st.session_state['user_name']}!")
            st.rerun()

st.page_link("app_pages/signup.py", label="No account yet? Sign up", icon=":material/person_add:")
