"""The signed-in user's own details."""

import streamlit as st

from streamlit_frontend import ui

api = ui.require_login()
st.title("My account")

me = ui.attempt(api.me, spinner="Loading...")
if not me.ok:
    st.stop()
user = me.value or {}
st.markdown(f"**Email:** {user.get('email', '-')}  \n**Role:** {user.get('role', api.role)}")

with st.form("account_form"):
    full_name = st.text_input("Full name", value=user.get("full_name", ""), key="acc_full_name")
    errors = {"full_name": st.empty()}
    phone = st.text_input("Phone", value=user.get("phone") or "", key="acc_phone")
    errors["phone"] = st.empty()
    save = st.form_submit_button("Save", type="primary", key="acc_save")
    form_err = st.empty()

if save:
    saved = ui.attempt(
        lambda: api.update_me(full_name=full_name.strip(), phone=phone.strip()),
        spinner="Saving...",
        field_slots=errors,
        where=form_err,
    )
    if saved.ok:
        st.session_state["user_name"] = (saved.value or {}).get("full_name") or full_name
        ui.flash("Your details were saved.")
        st.rerun()
