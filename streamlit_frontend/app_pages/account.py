"""The signed-in user's own account: details, time zone, password, their data, deletion."""

import streamlit as st

from streamlit_frontend import ui

api = ui.require_login()
st.title("My account")

me = ui.attempt(api.me, spinner="Loading...")
if not me.ok:
    st.stop()
user = me.value or {}
verified = "confirmed" if user.get("email_verified") else "**not confirmed yet**"
st.markdown(
    f"**Email:** {user.get('email', '-')} ({verified})  \n"
    f"**Role:** {user.get('role', api.role)}  \n"
    f"**Member since:** {ui.fmt_dt(user.get('date_joined'))}"
)

# --- details and time zone -----------------------------------------------------------------

zones = ui.time_zone_names()
saved_zone = user.get("time_zone") or ""
suggested = ui.browser_time_zone() or ui.organisation_time_zone()
with st.form("account_form"):
    st.subheader("Your details")
    full_name = st.text_input(
        "Full name", value=user.get("full_name", ""), key="acc_full_name", autocomplete="name"
    )
    errors = {"full_name": st.empty()}
    phone = st.text_input(
        "Phone",
        value=user.get("phone") or "",
        key="acc_phone",
        autocomplete="tel",
        help="With the country code, e.g. +44 20 7946 0958. Saved in international format.",
    )
    errors["phone"] = st.empty()
    zone = st.selectbox(
        "Time zone",
        options=zones,
        index=zones.index(saved_zone or suggested) if (saved_zone or suggested) in zones else None,
        key="acc_time_zone",
        help="Times in the app and in our emails are shown in this zone."
        + ("" if saved_zone else f" Suggested from your browser: {suggested}."),
    )
    errors["time_zone"] = st.empty()
    save = st.form_submit_button("Save", type="primary", key="acc_save")
    form_err = st.empty()

if save:
    saved = ui.attempt(
        lambda: api.update_me(full_name=full_name.strip(), phone=phone.strip(), time_zone=zone),
        spinner="Saving...",
        field_slots=errors,
        where=form_err,
    )
    if saved.ok:
        st.session_state[ui.USER_NAME_KEY] = (saved.value or {}).get("full_name") or full_name
        st.session_state[ui.TIME_ZONE_KEY] = (saved.value or {}).get("time_zone") or ""
        ui.flash("Your details were saved.")
        st.rerun()

# --- emails --------------------------------------------------------------------------------

prefs = ui.attempt(api.notification_preferences, spinner="Loading...")
if prefs.ok and prefs.value:
    with st.form("email_prefs_form"):
        st.subheader("Emails we send you")
        st.caption("Turn off the emails you do not want; you still see everything in the app.")
        chosen = {
            row["kind"]: st.toggle(
                row["description"], value=row["email"], key=f"email_{row['kind']}"
            )
            for row in prefs.value
        }
        save_prefs = st.form_submit_button("Save email choices", key="email_prefs_save")
        prefs_err = st.empty()
    pref_changes = {
        row["kind"]: chosen[row["kind"]]
        for row in prefs.value
        if chosen[row["kind"]] != row["email"]
    }
    if save_prefs and pref_changes:
        saved_prefs = ui.attempt(
            lambda: api.update_notification_preferences(email=pref_changes),
            spinner="Saving...",
            where=prefs_err,
        )
        if saved_prefs.ok:
            ui.flash("Your email choices were saved.")
            st.rerun()

# --- password ------------------------------------------------------------------------------

with st.form("password_form", clear_on_submit=False):
    st.subheader("Change password")
    old = st.text_input(
        "Current password", type="password", key="pw_old", autocomplete="current-password"
    )
    pw_errors = {"old_password": st.empty()}
    new, new2 = ui.new_password_inputs(
        ui.PasswordInputs(
            label="New password",
            repeat_label="Repeat new password",
            key="pw_new",
            field="new_password",
            repeat_field="repeat",
            help=None,
        ),
        pw_errors,
    )
    change = st.form_submit_button("Change password", key="pw_submit")
    pw_err = st.empty()

if change:
    if not old or not new:
        pw_err.error("Enter your current and your new password.")
    elif not ui.passwords_differ(new, new2, pw_errors["repeat"]):
        ui.set_new_password(
            api,
            lambda: api.change_password(old_password=old, new_password=new),
            spinner="Changing...",
            field_slots=pw_errors,
            where=pw_err,
        )

# --- your data -----------------------------------------------------------------------------

st.subheader("Your data")
st.caption("Everything we hold about you: profile, complaints, messages, ratings, files.")
st.download_button(
    "Download my data (JSON)",
    data=api.my_data_download(),
    file_name="my-data.json",
    mime="application/json",
    icon=":material/download:",
    key="export_download",
    on_click="ignore",
)

# --- delete --------------------------------------------------------------------------------

with st.expander("Delete my account", icon=":material/delete_forever:"):
    st.markdown(
        "**What goes:** your name, email address and phone number; the titles and "
        "descriptions of your complaints, your messages and rating comments; the files you "
        "uploaded. You can no longer log in.\n\n"
        "**What we keep, without anything that names you:** each complaint's reference, "
        "category, status, priority, dates and deadlines, its history of status changes, "
        "your star ratings, and what our staff wrote — for our statistics and audit trail."
    )
    sure = st.checkbox("I understand; delete my account.", key="delete_confirm")
    if st.button("Delete my account", type="primary", disabled=not sure, key="delete_submit"):
        deleted = ui.attempt(api.delete_me, spinner="Deleting...")
        if deleted.ok:
            ui.logout(api)
            ui.flash("Your account has been deleted.", "info")
            st.switch_page("app_pages/login.py")
