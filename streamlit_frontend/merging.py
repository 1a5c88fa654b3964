"""Merging on the complaint page: where a merged complaint carries on, what was merged into
this one, and the staff's "Merge into …" (offered while the complaint's ``can_merge`` says so;
the API decides the rest: same customer, target still open, no chains)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from streamlit_frontend import ui

if TYPE_CHECKING:
    from streamlit_frontend.complaint_sections import ComplaintView


def merged_references(complaint: dict[str, Any]) -> dict[str, str]:
    """Complaint id -> reference of the complaints merged into this one."""
    return {str(m["id"]): m["reference"] for m in complaint.get("merged_complaints") or []}


def render_merge_links(view: ComplaintView) -> None:
    complaint = view.complaint
    target = complaint.get("merged_into")
    if complaint.get("status") == "merged":
        if target:
            st.info(
                f"Merged into **{target['reference']}**, which carries on; what was written "
                "and sent here is shown there too.",
                icon=":material/call_merge:",
            )
            if st.button(f"Open {target['reference']}", key="open_merged_into"):
                ui.open_complaint(target["id"])
        else:
            st.info(
                "Merged with another report of the same matter, which carries on.",
                icon=":material/call_merge:",
            )
    merged = complaint.get("merged_complaints") or []
    if merged:
        listed = ", ".join(f"**{m['reference']}** ({m['title']})" for m in merged)
        st.caption(
            f":material/call_merge: Merged into this one: {listed}. Their replies and "
            "attachments are shown here."
        )


def render_merge_form(view: ComplaintView) -> None:
    """Staff: merge this complaint, a duplicate, into the one given by reference."""
    if not view.can("can_merge"):
        return
    with st.expander("Merge into another complaint (this one is a duplicate)"):
        with st.form(f"merge_{view.id}", border=False):
            reference = st.text_input(
                "Reference of the complaint that carries on",
                placeholder="CMP-2026-000123",
                key=f"merge_into_{view.id}",
            )
            into_err = st.empty()
            merge = st.form_submit_button("Merge", key="merge_submit", icon=":material/call_merge:")
            merge_err = st.empty()
        if not merge:
            return
        if not reference.strip():
            into_err.error("Enter the reference of the complaint to merge into.")
            return
        merged = ui.attempt(
            lambda: view.api.merge(view.id, into_reference=reference.strip().upper()),
            spinner="Merging...",
            field_slots={"into": into_err, "into_reference": into_err},
            where=merge_err,
        )
        if merged.ok:
            ui.flash(f"Merged into {reference.strip().upper()}.")
            st.rerun()
