"""One complaint: details, actions, feedback, timeline, replies and attachments.

Customers can reply, withdraw, reopen/close a resolution and rate it. Handlers can assign
("Assign to me" while ``can_take``, "Unassign" while ``can_unassign``: agents take unassigned
complaints and drop their own; supervisors and admins also "Assign to …" anyone on the staff,
listed by ``GET /api/users/handlers/``), move it along the workflow and write public
replies or internal notes. What is offered comes from the complaint's ``allowed_transitions``
and ``can_*`` flags (see ``streamlit_frontend.complaint_sections``).
"""

from functools import partial

import streamlit as st

from streamlit_frontend import complaint_sections as sections
from streamlit_frontend import ui

api = ui.require_login()

# Which complaint: the one opened from a list, or ?id=... in the address.
complaint_id = st.query_params.get("id") or st.session_state.get(ui.CURRENT_COMPLAINT_KEY)

with st.sidebar, st.form("find_by_ref", border=False):
    ref = st.text_input("Open by reference", placeholder="CMP-2026-000123", key="find_ref")
    if st.form_submit_button("Open", key="find_ref_submit") and ref.strip():
        found = ui.attempt(
            lambda: api.get_complaint_by_reference(ref.strip().upper()), spinner="Looking..."
        )
        if found.ok:
            ui.open_complaint(found.value["id"])

if not complaint_id:
    st.title("Complaint")
    st.info("Open a complaint from the list, or enter its reference in the sidebar.")
    st.stop()

st.session_state[ui.CURRENT_COMPLAINT_KEY] = complaint_id
if st.query_params.get("id") != complaint_id:
    st.query_params["id"] = complaint_id

loaded = ui.attempt(partial(api.get_complaint, complaint_id), spinner="Loading complaint...")
if not loaded.ok:
    back = "app_pages/queue.py" if api.is_handler else "app_pages/my_complaints.py"
    st.page_link(back, label="Back to the list", icon=":material/arrow_back:")
    st.stop()

view = sections.ComplaintView(api=api, complaint=loaded.value)
sections.render_header(view)
if view.staff:
    sections.render_staff_actions(view)
else:
    sections.render_customer_actions(view)
sections.render_feedback(view)
sections.render_timeline(view)
sections.render_composer(view)
sections.render_attachments(view)
