"""Create a customer account; the emailed link confirms the address."""

import streamlit as st

from streamlit_frontend import ui

st.title("Sign up")
st.caption("Create an account to file complaints and follow their progress.")

with st.form("signup_form"):
    full_name = st.text_input("Full name", key="signup_full_name", autocomplete="name")
    errors = {"full_name": st.empty()}
    email = st.text_input("Email", key="signup_email", autocomplete="email")
    errors["email"] = st.empty()
    phone = st.text_input(
        "Phone (optional)",
        key="signup_phone",
        autocomplete="tel",
        help="With the country code, e.g. +44 20 7946 0958.",
    )
    errors["phone"] = st.empty()
    password, password2 = ui.new_password_inputs(
        ui.PasswordInputs(
            label="Password",
            repeat_label="Repeat password",
            key="signup_password",
            field="password",
            repeat_field="password2",
        ),
        errors,
    )
    submitted = st.form_submit_button("Create account", type="primary", key="signup_submit")
    form_err = st.empty()

if submitted:
    missing = {
        "full_name": not full_name.strip(),
        "email": not email.strip(),
        "password": not password,
    }
    for field, is_missing in missing.items():
        if is_missing:
            errors[field].error("This field is required.")
    differ = bool(password) and ui.passwords_differ(password, password2, errors["password2"])
    if not any(missing.values()) and not differ:
        api = ui.client()
        created = ui.attempt(
            lambda: api.register(
                email=email.strip(),
                password=password,
                full_name=full_name.strip(),
                phone=phone.strip(),
            ),
            spinner="Creating your account...",
            field_slots=errors,
            where=form_err,
        )
        if created.ok:
            for key in ("signup_password", "signup_password2"):
                st.session_state.pop(key, None)
            ui.flash(
                f"Almost done: we have sent an email to {email.strip()}. Open the link in it "
                "to confirm your address, then log in.",
                "info",
            )
            st.switch_page("app_pages/login.py")

st.page_link("app_pages/login.py", label="Already have an account? Log in", icon=":material/login:")
