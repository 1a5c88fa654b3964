"""The handlers' work queue: mine / unassigned / all, overdue, filters, assign to me."""

from typing import Any

import streamlit as st

from streamlit_frontend import lists, ui

api = ui.require_login()
if not api.is_handler:
    st.error("The queue is for the support team.")
    st.stop()

st.title("Queue")

SCOPES = {"me": "Assigned to me", "none": "Unassigned", "all": "Everything"}

with st.container(border=True):
    top = st.columns([2, 2, 1], vertical_alignment="bottom")
    scope = top[0].segmented_control(
        "Show",
        options=list(SCOPES),
        format_func=SCOPES.__getitem__,
        default="me",
        required=True,
        key="queue_scope",
    )
    q = top[1].text_input(
        "Search",
        key="queue_q",
        placeholder="Email, reference or words",
        help="A customer's exact email address; a reference (CMP-...) or its start; or words: "
        "complaints containing every word, whole words, in the title, description, comments, "
        "internal notes or the customer's name.",
        type="search",
    )
    overdue = top[2].toggle("Overdue only", key="queue_overdue")
    row = st.columns(4)
    statuses = row[0].multiselect(
        "Status",
        options=ui.statuses(),
        default=ui.open_statuses(),
        format_func=ui.status_label,
        key="queue_statuses",
    )
    priority = row[1].selectbox(
        "Priority",
        options=[None, *ui.priorities()],
        format_func=lambda p: "Any priority" if p is None else ui.priority_label(p),
        key="queue_priority",
    )
    categories = ui.attempt(api.categories, quiet=True).value or []
    category_names = {c["id"]: c["name"] for c in categories}
    category = row[2].selectbox(
        "Category",
        options=[None, *category_names],
        format_func=lambda cid: "All categories" if cid is None else category_names[cid],
        key="queue_category",
    )
    ordering = row[3].selectbox(
        "Sort by",
        options=["resolve_due_at", "-priority", "-created_at", "created_at", "-updated_at"],
        format_func={
            "resolve_due_at": "Due soonest",
            "-priority": "Highest priority",
            "-created_at": "Newest",
            "created_at": "Oldest",
            "-updated_at": "Recently updated",
        }.__getitem__,
        key="queue_ordering",
    )

filters: dict[str, Any] = {
    "assignee": None if scope in (None, "all") else scope,
    "q": q,
    "overdue": overdue,
    "status": statuses or None,
    "priority": priority,
    "category": category,
    "ordering": ordering,
}


def assign_button(complaint: dict[str, Any]) -> None:
    if not complaint.get("can_take"):
        return
    if st.button("Assign to me", key=f"assign_{complaint['id']}", icon=":material/person_check:"):
        assigned = ui.attempt(
            lambda: api.assign(complaint["id"], assignee_id=api.user_id), spinner="Assigning..."
        )
        if assigned.ok:
            ui.flash(f"{complaint['reference']} is now assigned to you.")
            st.rerun()


page = lists.paginated(api, state_key="queue", filters=filters)
if page is not None:
    if not page.results:
        st.info("Nothing here. Try another view or filter.")
    for complaint in page.results:
        lists.complaint_row(complaint, handler=True, extra_actions=assign_button)
    if page.count:
        lists.pager(page, state_key="queue")
