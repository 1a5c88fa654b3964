"""The sections of the complaint page, one render function each.

The token's role picks the perspective (the staff or the customer layout and wording); every
action offered is gated by what the API says about this complaint for this caller:
``allowed_transitions``, ``transitions_requiring_reason`` and the ``can_*`` flags.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import streamlit as st

from streamlit_frontend import ui
from streamlit_frontend.api_client import ApiClient, Page
from streamlit_frontend.canned_replies import render_canned_picker

HISTORY_TEXT = {
    "created": "Complaint filed",
    "acknowledged": "Acknowledged",
    "assignee_changed": "Assignment changed",
    "category_changed": "Category changed",
    "priority_changed": "Priority changed",
    "attachment_added": "Attachment added",
    "feedback_received": "Feedback received",
    "sla_breached": "Service deadline missed",
}


@dataclass(frozen=True)
class ComplaintView:
    """One complaint as the caller sees it, and the caller's perspective on it."""

    api: ApiClient
    complaint: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.complaint["id"])

    @property
    def staff(self) -> bool:
        return self.api.is_handler

    @property
    def status(self) -> str:
        return self.complaint["status"]

    def can(self, capability: str) -> bool:
        return bool(self.complaint.get(capability))

    @property
    def moves(self) -> list[str]:
        return list(self.complaint.get("allowed_transitions") or [])

    @property
    def moves_needing_reason(self) -> list[str]:
        return list(self.complaint.get("transitions_requiring_reason") or [])

    @property
    def labels(self) -> dict[str, str]:
        return ui.TRANSITION_LABELS if self.staff else ui.CUSTOMER_TRANSITION_LABELS

    @property
    def list_page(self) -> str:
        return "app_pages/queue.py" if self.staff else "app_pages/my_complaints.py"


def done(message: str) -> None:
    ui.flash(message)
    st.rerun()


def more_caption(listing: Page, what: str) -> None:
    """Say so when a listing stopped before its end."""
    if len(listing.results) < listing.count:
        st.caption(f"Showing the first {len(listing.results)} of {listing.count} {what}.")


# --------------------------------------------------------------------------------- header


def render_header(view: ComplaintView) -> None:
    complaint = view.complaint
    st.page_link(view.list_page, label="Back to the list", icon=":material/arrow_back:")
    st.title(f"{complaint['reference']} - {complaint['title']}")
    badges = [ui.status_md(view.status)]
    if view.staff:
        badges.append(ui.priority_md(complaint.get("priority")))
    if complaint.get("is_overdue"):
        badges.append(":red-badge[:material/alarm: Overdue]")
    st.markdown(" ".join(b for b in badges if b))

    info, side = st.columns([3, 2])
    with info:
        st.markdown("**Description**")
        st.markdown(complaint.get("description") or "-")
        if complaint.get("resolution"):
            st.success(f"**Resolution:** {complaint['resolution']}", icon=":material/task_alt:")
    with side, st.container(border=True):
        st.markdown("  \n".join(f"**{k}:** {v}" for k, v in _facts(view)))


def _facts(view: ComplaintView) -> list[tuple[str, str]]:
    complaint = view.complaint
    rows = [
        ("Category", (complaint.get("category") or {}).get("name", "-")),
        ("Filed", ui.fmt_dt(complaint.get("created_at"))),
        ("Channel", str(complaint.get("channel") or "-").capitalize()),
    ]
    if view.staff:
        assignee = complaint.get("assignee")
        rows += [
            ("Customer", ui.person(complaint.get("customer"))),
            ("Assignee", ui.person(assignee) if assignee else "Unassigned"),
            ("Acknowledge by", ui.fmt_dt(complaint.get("ack_due_at"))),
            ("Resolve by", ui.fmt_dt(complaint.get("resolve_due_at"))),
        ]
        if complaint.get("sla_paused_at"):
            paused = ui.fmt_dt(complaint["sla_paused_at"])
            rows.append(("Resolve clock", f"paused since {paused}, until the customer replies"))
    for field, when in (
        ("Acknowledged", "acknowledged_at"),
        ("Resolved", "resolved_at"),
        ("Closed", "closed_at"),
    ):
        if complaint.get(when):
            rows.append((field, ui.fmt_dt(complaint[when])))
    return rows


# --------------------------------------------------------------------------------- actions


def transition(view: ComplaintView, to_status: str, reason: str = "") -> None:
    moved = ui.attempt(
        lambda: view.api.transition(view.id, to_status=to_status, reason=reason),
        spinner="Updating...",
    )
    if moved.ok:
        done(f"Complaint is now {ui.status_label(moved.value.get('status', to_status)).lower()}.")


def render_staff_actions(view: ComplaintView) -> None:
    assigning = view.can("can_take") or view.can("can_unassign")
    if not (assigning or view.can("can_set_priority") or view.moves):
        return
    with st.container(border=True):
        st.subheader("Handle")
        assign_col, unassign_col, priority_col = st.columns(3)
        _render_take_or_drop(view, assign_col, unassign_col)
        with priority_col:
            _render_priority(view)
        if view.can("can_assign_anyone"):
            _render_assign_anyone(view)
        _render_staff_moves(view)


def _assignee_id(view: ComplaintView) -> str:
    return str((view.complaint.get("assignee") or {}).get("id") or "")


def _render_take_or_drop(view: ComplaintView, assign_col: Any, unassign_col: Any) -> None:
    if view.can("can_take") and assign_col.button(
        "Assign to me", key="assign_me", icon=":material/person_check:"
    ):
        assigned = ui.attempt(
            lambda: view.api.assign(view.id, assignee_id=view.api.user_id), spinner="Assigning..."
        )
        if assigned.ok:
            done("Assigned to you.")
    if view.can("can_unassign") and unassign_col.button(
        "Unassign", key="unassign", icon=":material/person_remove:"
    ):
        dropped = ui.attempt(
            lambda: view.api.assign(view.id, assignee_id=None), spinner="Unassigning..."
        )
        if dropped.ok:
            done("Complaint unassigned.")


def _render_priority(view: ComplaintView) -> None:
    priority = view.complaint.get("priority")
    if not view.can("can_set_priority"):
        st.markdown(f"Priority: {ui.priority_md(priority)}")
        return
    options = ui.priorities()
    new_priority = st.selectbox(
        "Priority",
        options=options,
        index=options.index(priority) if priority in options else None,
        format_func=ui.priority_label,
        key=f"priority_{view.id}_{priority}",
    )
    if (
        new_priority
        and new_priority != priority
        and st.button("Save priority", key="save_priority")
    ):
        changed = ui.attempt(
            lambda: view.api.update_complaint(view.id, priority=new_priority),
            spinner="Saving priority...",
        )
        if changed.ok:
            done(f"Priority set to {new_priority}.")


def _staff_option(handler: dict[str, Any]) -> str:
    return (
        f"{handler.get('full_name') or '-'} "
        f"({str(handler.get('role', '')).capitalize()}, {handler.get('open_assigned', 0)} open)"
    )


def _render_assign_anyone(view: ComplaintView) -> None:
    staff = ui.attempt(view.api.all_handlers, quiet=True)
    if not staff.ok:
        st.caption("The staff list could not be loaded right now.")
        return
    assignee_id = _assignee_id(view)
    by_id = {str(h["id"]): h for h in staff.value or [] if str(h["id"]) != assignee_id}
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
    target = pick_col.selectbox(
        "Assign to …",
        options=list(by_id),
        index=None,
        format_func=lambda hid: _staff_option(by_id[hid]),
        placeholder="Choose a staff member",
        key=f"assign_to_{view.id}_{assignee_id}",
    )
    if not go_col.button("Assign", key="assign_to_submit", icon=":material/assignment_ind:"):
        return
    if not target:
        pick_col.error("Choose who should handle this complaint.")
        return
    name = by_id[target].get("full_name") or "them"
    assigned = ui.attempt(
        lambda: view.api.assign(view.id, assignee_id=target), spinner="Assigning..."
    )
    if assigned.ok:
        done(f"Assigned to {name}.")


def _render_staff_moves(view: ComplaintView) -> None:
    if not view.moves:
        st.caption(f"No further status changes are possible ({ui.status_label(view.status)}).")
        return
    needs_reason = view.moves_needing_reason
    reason = ""
    if needs_reason:
        reason = st.text_area(
            "Resolution / rejection reason",
            key=f"reason_{view.id}",
            help="Required to "
            + " or ".join(view.labels.get(s, s).lower() for s in needs_reason)
            + ". The customer will see it.",
        )
    reason_err = st.empty()
    for col, to_status in zip(st.columns(len(view.moves)), view.moves, strict=True):
        kind: Literal["primary", "secondary"] = (
            "primary" if to_status == "resolved" else "secondary"
        )
        label = view.labels.get(to_status, ui.status_label(to_status))
        if col.button(label, key=f"to_{to_status}", type=kind):
            if to_status in needs_reason and not reason.strip():
                reason_err.error(f"Please give a reason to {label.lower()} the complaint.")
            else:
                transition(view, to_status, reason.strip())


def render_customer_actions(view: ComplaintView) -> None:
    if not view.moves:
        return
    with st.container(border=True):
        if view.status == "resolved":
            st.markdown("We believe this is resolved. Are you happy with the resolution?")
        for col, to_status in zip(st.columns(len(view.moves)), view.moves, strict=True):
            label = view.labels.get(to_status, ui.status_label(to_status))
            if col.button(label, key=f"to_{to_status}"):
                if to_status == "withdrawn":
                    st.session_state["confirm_withdraw"] = view.id
                else:
                    transition(view, to_status)
        if st.session_state.get("confirm_withdraw") == view.id:
            _confirm_withdraw(view)


def _confirm_withdraw(view: ComplaintView) -> None:
    st.warning("Withdraw this complaint? It will be closed and cannot be reopened.")
    yes, no = st.columns(2)
    if yes.button("Yes, withdraw", key="confirm_withdraw_yes", type="primary"):
        st.session_state.pop("confirm_withdraw", None)
        transition(view, "withdrawn")
    if no.button("Keep it open", key="confirm_withdraw_no"):
        st.session_state.pop("confirm_withdraw", None)
        st.rerun()


# --------------------------------------------------------------------------------- feedback


def render_feedback(view: ComplaintView) -> None:
    if view.can("can_give_feedback"):
        _render_feedback_form(view)
    feedback = view.complaint.get("feedback")
    if feedback:
        rating = int(feedback.get("rating") or 0)
        comment = f': "{feedback["comment"]}"' if feedback.get("comment") else ""
        st.info(f"Rated {'★' * rating} ({rating}/5){comment}", icon=":material/reviews:")


def _render_feedback_form(view: ComplaintView) -> None:
    with st.form("feedback_form"):
        st.subheader("Rate the resolution", anchor="rate")
        rating = st.radio(
            "How satisfied are you?",
            options=[1, 2, 3, 4, 5],
            index=None,
            horizontal=True,
            format_func=lambda n: "★" * n,
            key="feedback_rating",
        )
        rating_err = st.empty()
        comment = st.text_area("Comment (optional)", key="feedback_comment")
        comment_err = st.empty()
        rated = st.form_submit_button("Send rating", key="feedback_submit")
        feedback_err = st.empty()
    if not rated:
        return
    if rating is None:
        rating_err.error("Choose from 1 to 5 stars.")
        return
    sent = ui.attempt(
        lambda: view.api.give_feedback(view.id, rating=rating, comment=comment.strip()),
        spinner="Sending...",
        field_slots={"rating": rating_err, "comment": comment_err},
        where=feedback_err,
    )
    if sent.ok:
        done("Thank you for your feedback!")


# --------------------------------------------------------------------------------- timeline


def describe(entry: dict[str, Any], *, staff: bool) -> str:
    kind = entry.get("kind", "")
    old, new = entry.get("from_value") or "", entry.get("to_value") or ""
    if kind == "status_changed":
        return f"Status {ui.status_md(old)} → {ui.status_md(new)}" if old else ui.status_md(new)
    if kind == "priority_changed" and staff:
        return f"Priority {old or '-'} → {new or '-'}"
    if kind == "feedback_received" and new:
        return f"Rated {new}/5"
    if kind == "attachment_added" and new:
        return f"Attachment added: {new}"
    return HISTORY_TEXT.get(kind, kind.replace("_", " ").capitalize())


def render_timeline(view: ComplaintView) -> None:
    st.subheader("Timeline")
    history = ui.attempt(lambda: view.api.history(view.id), quiet=True)
    comments = ui.attempt(lambda: view.api.list_comments(view.id), spinner="Loading replies...")
    if not history.ok:
        st.caption("The change history could not be loaded right now.")
    entries = history.value.results if history.ok else []
    replies = comments.value.results if comments.ok else []
    for listing, what in ((history, "changes"), (comments, "replies")):
        if listing.ok:
            more_caption(listing.value, what)

    # The comment_added entries are shown as the comments themselves.
    events = [(e.get("created_at") or "", "history", e) for e in entries]
    events = [e for e in events if e[2].get("kind") != "comment_added"]
    events += [(c.get("created_at") or "", "comment", c) for c in replies]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    events.sort(key=lambda e: ui.parse_dt(e[0]) or epoch)
    if not events:
        st.caption("Nothing here yet.")
    for when, kind, item in events:
        if kind == "history":
            _render_history_entry(view, when, item)
        else:
            _render_comment(view, when, item)


def _render_history_entry(view: ComplaintView, when: str, entry: dict[str, Any]) -> None:
    hidden = " :orange-badge[internal]" if entry.get("is_internal") else ""
    st.caption(
        f":material/history: {describe(entry, staff=view.staff)}{hidden} - "
        f"{ui.person(entry.get('actor'))}, {ui.fmt_dt(when)}"
    )


def _render_comment(view: ComplaintView, when: str, comment: dict[str, Any]) -> None:
    customer_id = str((view.complaint.get("customer") or {}).get("id") or "")
    author = comment.get("author") or {}
    author_id = str(author.get("id", "")) if isinstance(author, dict) else ""
    from_customer = bool(customer_id) and author_id == customer_id
    name = ui.person(author)
    # People on both sides: Streamlit's preset "assistant" avatar is a robot.
    with st.chat_message(name, avatar=ui.CUSTOMER_AVATAR if from_customer else ui.STAFF_AVATAR):
        label = ":orange-badge[Internal note] " if comment.get("internal") else ""
        st.markdown(f"{label}**{name}** · {ui.fmt_dt(when)}")
        st.markdown(comment.get("body", ""))


# --------------------------------------------------------------------------------- composer


def render_composer(view: ComplaintView) -> None:
    """The reply box. Not a form, so the internal switch restyles the box before sending.

    One draft = one Idempotency-Key (with the text and mode in it): a double click or a
    resend after a network error posts once. A sent draft starts a fresh, public one; a
    failed send keeps the text.
    """
    if not view.can("can_comment"):
        return
    may_note = view.can("can_post_internal")
    draft_key = f"reply_draft_{view.id}"
    draft = st.session_state.setdefault(draft_key, {"id": uuid.uuid4().hex, "version": 0})
    version = draft["version"]
    internal = False
    if view.staff:
        render_canned_picker(
            api=view.api, complaint_id=view.id, composer_key=f"reply_body_{view.id}_{version}"
        )
    with st.container(border=True):
        if may_note:
            internal = st.toggle(
                "Internal note (only staff will see it)",
                key=f"reply_internal_{view.id}_{version}",
            )
            if internal:
                st.markdown(
                    ":orange-background[:material/lock: **Internal note** — the customer will "
                    "not see this.]"
                )
            else:
                st.markdown(
                    ":blue-background[:material/public: **Public reply** — the customer will "
                    "see this and get an email.]"
                )
        else:
            st.subheader("Reply")
        body = st.text_area(
            "Internal note" if internal else "Message",
            key=f"reply_body_{view.id}_{version}",
            placeholder="Only staff will read this note." if internal else "Write your reply.",
        )
        body_err = st.empty()
        send = st.button(
            "Add internal note" if internal else "Send reply",
            type="secondary" if internal else "primary",
            icon=":material/lock:" if internal else ":material/send:",
            key=f"reply_submit_{view.id}_{version}",
        )
        reply_err = st.empty()
    if not send:
        return
    text = body.strip()
    if not text:
        body_err.error("Write a message first.")
        return
    fingerprint = hashlib.sha256(f"{internal}:{text}".encode()).hexdigest()[:16]
    sent = ui.attempt(
        lambda: view.api.add_comment(
            view.id, body=text, internal=internal, idempotency_key=f"{draft['id']}-{fingerprint}"
        ),
        spinner="Sending...",
        field_slots={"body": body_err},
        where=reply_err,
    )
    if sent.ok:
        st.session_state[draft_key] = {"id": uuid.uuid4().hex, "version": version + 1}
        done("Internal note added." if internal else "Reply sent.")


# --------------------------------------------------------------------------------- attachments


def render_attachments(view: ComplaintView) -> None:
    st.subheader("Attachments")
    attachments = ui.attempt(lambda: view.api.list_attachments(view.id), quiet=True)
    if not attachments.ok:
        st.caption("Attachments could not be loaded right now.")
    else:
        for attachment in attachments.value.results:
            _render_attachment(view, attachment)
        if not attachments.value.results:
            st.caption("No attachments.")
        more_caption(attachments.value, "attachments")
    if view.can("can_upload"):
        _render_upload(view)


def _render_attachment(view: ComplaintView, attachment: dict[str, Any]) -> None:
    att_id = str(attachment.get("id"))
    name = attachment.get("file_name") or attachment.get("original_name") or "attachment"
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].markdown(f":material/attach_file: {name} ({ui.fmt_size(attachment.get('size'))})")
    cols[1].download_button(
        "Download",
        data=view.api.attachment_download(att_id),
        file_name=name,
        mime=attachment.get("content_type") or "application/octet-stream",
        key=f"att_dl_{att_id}",
        icon=":material/download:",
        on_click="ignore",
    )


def _render_upload(view: ComplaintView) -> None:
    """Choosing files is the one upload action: valid files go up at once, then the box
    empties (a new key) for the next ones. Problems are explained next to the box first."""
    rules = ui.upload_rules(view.api)
    version_key = f"uploader_{view.id}"
    version = st.session_state.setdefault(version_key, 0)
    uploads = st.file_uploader(
        "Add files",
        accept_multiple_files=True,
        max_upload_size=ui.upload_limit_mb(rules),
        help=ui.upload_help(rules),
        key=f"detail_uploads_{view.id}_{version}",
    )
    st.caption(ui.upload_help(rules))
    problems = ui.upload_problems(uploads or [], rules)
    for problem in problems:
        st.error(problem, icon=":material/block:")
    if not uploads or problems:
        return
    failed = [f"{name}: {reason}" for name, reason in ui.upload_all(view.api, view.id, uploads)]
    st.session_state[version_key] = version + 1
    if failed:
        ui.flash("Not uploaded: " + "; ".join(failed), "error")
        st.rerun()
    done(f"{len(uploads)} file(s) attached.")
