"""A customer's own complaints: status chips, filters, search, pagination."""

import streamlit as st

from streamlit_frontend import lists, ui

api = ui.require_login()

head, action = st.columns([4, 1], vertical_alignment="bottom")
head.title("My complaints")
with action:
    if st.button("New complaint", key="goto_new", icon=":material/add:", type="primary"):
        st.switch_page("app_pages/new_complaint.py")

with st.container(border=True):
    search_col, category_col, order_col = st.columns([3, 2, 2])
    q = search_col.text_input(
        "Search",
        key="my_q",
        placeholder="Reference (CMP-...) or words",
        help="A reference or its start, or words: your complaints containing every word "
        "(whole words) in the title, description or conversation.",
        type="search",
    )
    categories = ui.attempt(api.categories, quiet=True).value or []
    category_names = {c["id"]: c["name"] for c in categories}
    category = category_col.selectbox(
        "Category",
        options=[None, *category_names],
        format_func=lambda cid: "All categories" if cid is None else category_names[cid],
        key="my_category",
    )
    ordering = order_col.selectbox(
        "Sort by",
        options=["-created_at", "created_at", "-updated_at"],
        format_func={
            "-created_at": "Newest first",
            "created_at": "Oldest first",
            "-updated_at": "Recently updated",
        }.__getitem__,
        key="my_ordering",
    )
    statuses = st.pills(
        "Status",
        options=ui.statuses(),
        selection_mode="multi",
        format_func=ui.status_label,
        key="my_statuses",
    )

filters = {"q": q, "category": category, "ordering": ordering, "status": statuses or None}
page = lists.paginated(api, state_key="my", filters=filters)
if page is not None:
    if not page.results:
        if any(v for k, v in filters.items() if k != "ordering"):
            st.info("No complaints match these filters.")
        else:
            st.info("You have not filed any complaints yet.")
    for complaint in page.results:
        lists.complaint_row(complaint, handler=False)
    if page.count:
        lists.pager(page, state_key="my")
