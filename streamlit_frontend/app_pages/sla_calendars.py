"""Supervisors: the business calendars the SLA clocks run on (list, add, edit, delete)."""

from functools import partial

import streamlit as st

from streamlit_frontend import settings_forms as forms
from streamlit_frontend import ui

api = ui.require_login()
if not api.manages_settings:
    st.error("SLA calendars are managed by supervisors and admins.")
    st.stop()

st.title("SLA calendars")
st.caption(
    "SLA clocks run only in a calendar's working hours, in its time zone, and stand still on "
    "its holidays. A category uses its own calendar, else the organisation's; without either "
    "the clocks run around the clock."
)
loaded = ui.attempt(lambda: (api.sla_calendars(), api.categories()), spinner="Loading...")
if not loaded.ok:
    st.stop()
calendars, categories = loaded.value
category_names = {category["id"]: category["name"] for category in categories}

with st.expander("New calendar", icon=":material/add:", expanded=not calendars):
    forms.new_form(
        "calendar_new", forms.calendar_fields({}), api.create_sla_calendar, done="Calendar added."
    )

if not calendars:
    st.info("No calendars yet: SLA clocks run around the clock.")
for calendar in calendars:
    with st.expander(forms.calendar_label(calendar)):
        st.caption(forms.calendar_users(calendar, category_names))
        forms.edit_form(
            f"calendar_{calendar['id']}",
            forms.calendar_fields(calendar),
            partial(api.update_sla_calendar, calendar["id"]),
            done="Calendar saved.",
        )
        forms.delete_button(
            f"calendar_delete_{calendar['id']}",
            partial(api.delete_sla_calendar, calendar["id"]),
            done="Calendar deleted.",
        )
