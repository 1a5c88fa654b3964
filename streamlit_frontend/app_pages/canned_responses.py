"""Supervisors: the canned responses agents insert into their replies (list, add, edit, delete)."""

from functools import partial

import streamlit as st

from streamlit_frontend import settings_forms as forms
from streamlit_frontend import ui

api = ui.require_login()
if not api.manages_settings:
    st.error("Canned responses are managed by supervisors and admins.")
    st.stop()

st.title("Canned responses")
loaded = ui.attempt(
    lambda: (api.canned_responses(), api.canned_placeholders(), api.categories()),
    spinner="Loading...",
)
if not loaded.ok:
    st.stop()
rows, placeholders, categories = loaded.value
body_help = forms.placeholder_help(placeholders)
st.caption(body_help)

with st.expander("New canned response", icon=":material/add:", expanded=not rows):
    forms.new_form(
        "canned_new",
        forms.canned_fields({}, categories, body_help),
        api.create_canned_response,
        done="Canned response added.",
    )

if not rows:
    st.info("No canned responses yet.")
for row in rows:
    with st.expander(forms.canned_label(row)):
        forms.edit_form(
            f"canned_{row['id']}",
            forms.canned_fields(row, categories, body_help),
            partial(api.update_canned_response, row["id"]),
            done="Canned response saved.",
        )
        forms.delete_button(
            f"canned_delete_{row['id']}",
            partial(api.delete_canned_response, row["id"]),
            done="Canned response deleted.",
        )
