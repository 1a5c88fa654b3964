"""ISO 10002 on the complaint page: the remedy sought and its outcome, the referral shown with
a final answer, the customer's "Ask for an internal review" (``can_request_review``) and the
supervisor's conclusion (``can_conclude_review``). The API decides when each is offered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from streamlit_frontend import ui

if TYPE_CHECKING:
    from streamlit_frontend.complaint_sections import ComplaintView

REMEDY_OUTCOMES = {
    "granted": "Granted",
    "partially_granted": "Partially granted",
    "declined": "Declined",
}
REVIEW_OUTCOMES = {"upheld": "Decision upheld", "changed": "Decision changed"}


def render_remedy(view: ComplaintView) -> None:
    complaint = view.complaint
    sought = complaint.get("remedy_sought")
    if not sought:
        return
    outcome = REMEDY_OUTCOMES.get(complaint.get("remedy_outcome") or "")
    who = "Remedy sought" if view.staff else "You asked for"
    line = f"**{who}:** {sought}"
    if outcome:
        line += f"  \n**Outcome:** {outcome}"
    st.markdown(line)


def render_review(view: ComplaintView) -> None:
    """The review's state, the referral, and the action the caller may take on it."""
    review = view.complaint.get("review")
    if review:
        _render_review_state(review)
    if view.can("can_request_review"):
        _render_request_form(view)
    if view.can("can_conclude_review"):
        _render_conclude_form(view)
    referrals = view.complaint.get("referrals") or []
    if referrals and not view.staff:
        with st.container(border=True):
            st.markdown("**If our answer does not settle your complaint**")
            for body in referrals:
                st.markdown(f"- **{body['name']}**: {body['contact']}")


def _render_review_state(review: dict) -> None:
    asked = (
        f"Internal review asked for on {ui.fmt_dt(review.get('requested_at'))}: {review['reason']}"
    )
    if not review.get("concluded_at"):
        st.info(f"{asked}  \nWaiting for a supervisor.", icon=":material/gavel:")
        return
    outcome = REVIEW_OUTCOMES.get(review.get("outcome") or "", review.get("outcome"))
    st.info(
        f"{asked}  \n**{outcome}** on {ui.fmt_dt(review['concluded_at'])}: {review['note']}",
        icon=":material/gavel:",
    )


def _render_request_form(view: ComplaintView) -> None:
    with st.expander("Not satisfied with this answer? Ask for an internal review"):
        st.caption("A supervisor who did not handle your complaint looks at it again. Once.")
        with st.form(f"review_request_{view.id}", border=False):
            reason = st.text_area("Why do you not accept the answer?", key="review_reason")
            reason_err = st.empty()
            sent = st.form_submit_button("Ask for a review", key="review_request_submit")
            form_err = st.empty()
        if not sent:
            return
        if not reason.strip():
            reason_err.error("Tell us why, so the review can address it.")
            return
        asked = ui.attempt(
            lambda: view.api.request_review(view.id, reason=reason.strip()),
            spinner="Sending...",
            field_slots={"reason": reason_err},
            where=form_err,
        )
        if asked.ok:
            ui.flash("Your internal review is requested. We will email you its outcome.")
            st.rerun()


def _render_conclude_form(view: ComplaintView) -> None:
    with st.container(border=True), st.form(f"review_conclude_{view.id}", border=False):
        st.markdown("**Conclude the internal review**")
        outcome = st.radio(
            "Outcome",
            options=list(REVIEW_OUTCOMES),
            format_func=REVIEW_OUTCOMES.__getitem__,
            horizontal=True,
            key="review_outcome",
        )
        remedy = st.selectbox(
            "Remedy outcome now (optional)",
            options=["", *REMEDY_OUTCOMES],
            format_func=lambda v: REMEDY_OUTCOMES.get(v, "Unchanged"),
            key="review_remedy_outcome",
        )
        note = st.text_area("Answer to the customer", key="review_note")
        note_err = st.empty()
        done = st.form_submit_button("Conclude review", key="review_conclude_submit")
        form_err = st.empty()
    if not done:
        return
    if not note.strip():
        note_err.error("Write the answer the customer will read.")
        return
    concluded = ui.attempt(
        lambda: view.api.conclude_review(
            view.id, outcome=outcome, note=note.strip(), remedy_outcome=remedy
        ),
        spinner="Saving...",
        field_slots={"note": note_err},
        where=form_err,
    )
    if concluded.ok:
        ui.flash("Internal review concluded; the customer is emailed.")
        st.rerun()


def remedy_outcome_picker(view: ComplaintView) -> str:
    """Staff moves that must record the remedy outcome get this picker; '' when none do."""
    needing = view.complaint.get("transitions_requiring_remedy_outcome") or []
    if not needing:
        return ""
    return (
        st.selectbox(
            "Remedy outcome (required to "
            + " or ".join(view.labels.get(s, s).lower() for s in needing)
            + ")",
            options=["", *REMEDY_OUTCOMES],
            format_func=lambda v: REMEDY_OUTCOMES.get(v, "Choose…"),
            key=f"remedy_outcome_{view.id}",
        )
        or ""
    )
