"""Staff: put a canned response into the reply composer.

The API renders the placeholders (``rendered_body``); inserting only fills the composer's text
box, which stays editable, and sending is the composer's ordinary reply.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from streamlit_frontend import ui
from streamlit_frontend.api_client import ApiClient


def _insert(composer_key: str, text: str) -> None:
    """Add the text to what the composer holds (after a blank line), or fill it."""
    # A callback runs before the next script run, so the composer is drawn with the text.
    written = (st.session_state.get(composer_key) or "").rstrip()
    st.session_state[composer_key] = f"{written}\n\n{text}" if written else text


def render_canned_picker(*, api: ApiClient, complaint_id: str, composer_key: str) -> None:
    """A chooser of the complaint's canned responses and an Insert button (staff only)."""
    offered = ui.attempt(lambda: api.canned_responses_for(complaint_id), quiet=True)
    if not offered.ok:
        st.caption("Canned responses could not be loaded right now.")
        return
    by_id: dict[int, dict[str, Any]] = {row["id"]: row for row in offered.value}
    if not by_id:
        return
    choice_col, insert_col = st.columns([4, 1], vertical_alignment="bottom")
    chosen = choice_col.selectbox(
        "Canned response",
        options=list(by_id),
        format_func=lambda row_id: _label(by_id[row_id]),
        index=None,
        placeholder="Choose a canned response to insert",
        key=f"canned_choice_{complaint_id}",
    )
    insert_col.button(
        "Insert",
        key="canned_insert",
        disabled=chosen is None,
        on_click=_insert,
        args=(composer_key, by_id[chosen]["rendered_body"] if chosen is not None else ""),
        help="Puts the text into the message box below; edit it before sending.",
    )


def _label(row: dict[str, Any]) -> str:
    category = row.get("category")
    return f"{row['title']} ({category['name'] if category else 'all categories'})"
