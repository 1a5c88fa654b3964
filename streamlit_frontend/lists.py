"""Complaint list rendering shared by "My complaints" and the handler queue."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import streamlit as st

from streamlit_frontend import ui
from streamlit_frontend.api_client import ApiClient, ApiValidationError, Page

PAGE_SIZE = 10


def paginated(
    api: ApiClient,
    *,
    state_key: str,
    filters: dict[str, Any],
    page_size: int = PAGE_SIZE,
) -> Page | None:
    """Fetch the current page for ``filters``; going back to page 1 whenever they change.

    A page that vanished (404: fewer results now) gives page 1 again, and one deeper than the
    API serves (its 400, shown) the page shown before.
    """
    signature = repr(sorted(filters.items()))
    if st.session_state.get(f"{state_key}_filters") != signature:
        st.session_state[f"{state_key}_filters"] = signature
        st.session_state[f"{state_key}_page"] = 1
    page_no = int(st.session_state.get(f"{state_key}_page", 1))
    result = _load(api, filters=filters, page_no=page_no, page_size=page_size)
    if not result.ok and page_no > 1:
        if result.error.status_code == HTTPStatus.NOT_FOUND:
            page_no = 1
        elif isinstance(result.error, ApiValidationError) and "page" in result.error.field_errors:
            page_no = int(st.session_state.get(f"{state_key}_shown", 1))
        else:
            return None
        st.session_state[f"{state_key}_page"] = page_no
        result = _load(api, filters=filters, page_no=page_no, page_size=page_size)
    if not result.ok:
        return None
    st.session_state[f"{state_key}_shown"] = page_no
    return result.value


def _load(
    api: ApiClient, *, filters: dict[str, Any], page_no: int, page_size: int
) -> ui.Result[Page]:
    return ui.attempt(
        lambda: api.list_complaints(**filters, page=page_no, page_size=page_size),
        spinner="Loading complaints...",
    )


def page_total(page: Page, *, page_size: int = PAGE_SIZE) -> int | None:
    """How many pages the list has; None when the API did not count it all."""
    return max(1, -(-page.count // page_size)) if page.count_is_exact else None


def page_caption(page: Page, *, page_no: int, page_size: int = PAGE_SIZE) -> str:
    """Where the pager stands; the API counts exactly only up to a cap (``count_is_exact``)."""
    pages = page_total(page, page_size=page_size)
    if pages is None:
        return f"Page {page_no} · more than {page.count:,} complaints (not counted further)"
    return f"Page {page_no} of {pages} · {page.count:,} complaint(s)"


def end_of_list_hint(page: Page) -> str | None:
    """Why there is no next page although more complaints match: the API serves no deeper."""
    if page.next or page.count_is_exact:
        return None
    return "The list stops here: filters or another sort order reach the other complaints."


def _go_to(state_key: str) -> None:
    """The number typed in the "Go to page" input becomes the page to load."""
    st.session_state[f"{state_key}_page"] = int(st.session_state[f"{state_key}_goto"])


def pager(page: Page, *, state_key: str, page_size: int = PAGE_SIZE) -> None:
    page_no = int(st.session_state.get(f"{state_key}_page", 1))
    left, middle, right, goto = st.columns([1, 3, 1, 1], vertical_alignment="bottom")
    with left:
        if st.button(
            "Previous",
            key=f"{state_key}_prev",
            icon=":material/chevron_left:",
            disabled=not page.previous,
        ):
            st.session_state[f"{state_key}_page"] = max(1, page_no - 1)
            st.rerun()
    middle.caption(page_caption(page, page_no=page_no, page_size=page_size))
    with right:
        if st.button(
            "Next",
            key=f"{state_key}_next",
            icon=":material/chevron_right:",
            icon_position="right",
            disabled=not page.next,
        ):
            st.session_state[f"{state_key}_page"] = page_no + 1
            st.rerun()
    # The input shows the page shown; a number typed in opens that page (next run).
    st.session_state[f"{state_key}_goto"] = page_no
    goto.number_input(
        "Go to page",
        min_value=1,
        max_value=page_total(page, page_size=page_size),
        step=1,
        key=f"{state_key}_goto",
        on_change=_go_to,
        args=(state_key,),
    )
    hint = end_of_list_hint(page)
    if hint:
        st.caption(hint)


def complaint_row(
    complaint: dict[str, Any],
    *,
    handler: bool,
    extra_actions: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    cid = complaint["id"]
    with st.container(border=True, key=f"row_{cid}"):
        main, meta, actions = st.columns([5, 3, 2], vertical_alignment="center")
        with main:
            overdue = " :red-badge[:material/alarm: Overdue]" if complaint.get("is_overdue") else ""
            # The API's per-viewer marker: the customer acted since this viewer last opened it.
            unread = (
                " :blue-badge[:material/mark_chat_unread: New customer activity]"
                if complaint.get("has_unread_activity")
                else ""
            )
            st.markdown(
                f"**{complaint.get('reference', '')}** {ui.status_md(complaint['status'])}"
                f"{' ' + ui.priority_md(complaint.get('priority')) if handler else ''}"
                f"{overdue}{unread}"
            )
            st.markdown(complaint.get("title", ""))
        with meta:
            category = (complaint.get("category") or {}).get("name", "")
            lines = [f"{category}", f"Filed {ui.fmt_dt(complaint.get('created_at'))}"]
            if handler:
                lines.append(f"Customer: {ui.person(complaint.get('customer'))}")
                assignee = complaint.get("assignee")
                lines.append(f"Assignee: {ui.person(assignee) if assignee else 'unassigned'}")
                lines.append(f"Resolve by {ui.fmt_dt(complaint.get('resolve_due_at'))}")
                activity = ui.fmt_dt(complaint.get("last_customer_activity_at"))
                lines.append(f"Customer last active {activity}")
            else:
                lines.append(f"Updated {ui.fmt_dt(complaint.get('updated_at'))}")
            st.caption("  \n".join(lines))
        with actions:
            if st.button("Open", key=f"open_{cid}", icon=":material/open_in_new:"):
                ui.open_complaint(cid)
            if extra_actions:
                extra_actions(complaint)
