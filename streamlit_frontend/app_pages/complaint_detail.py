"""One complaint: details, timeline, replies, attachments and the actions the caller may take.

Customers can reply, withdraw, reopen/close a resolution and rate it. Handlers can assign
(agents: "Assign to me"/"Unassign"; supervisors and admins also "Assign to …" anyone on the
staff, listed by ``GET /api/users/handlers/``), move it along the workflow (only the API's
``allowed_transitions`` are offered) and write public replies or internal notes.
"""

import hashlib
import uuid
from typing import Any

import streamlit as st

from streamlit_frontend import ui

api = ui.require_login()
is_handler = api.is_handler
labels = ui.TRANSITION_LABELS if is_handler else ui.CUSTOMER_TRANSITION_LABELS

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

loaded = ui.attempt(lambda: api.get_complaint(complaint_id), spinner="Loading complaint...")
if not loaded.ok:
    st.page_link(
        "app_pages/queue.py" if is_handler else "app_pages/my_complaints.py",
        label="Back to the list",
        icon=":material/arrow_back:",
    )
    st.stop()
complaint: dict[str, Any] = loaded.value
status = complaint["status"]
allowed: list[str] = list(complaint.get("allowed_transitions") or [])


def done(message: str) -> None:
    ui.flash(message)
    st.rerun()


# --- header --------------------------------------------------------------------------------

st.page_link(
    "app_pages/queue.py" if is_handler else "app_pages/my_complaints.py",
    label="Back to the list",
    icon=":material/arrow_back:",
)
st.title(f"{complaint['reference']} - {complaint['title']}")
badges = [ui.status_md(status)]
if is_handler:
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
    category = (complaint.get("category") or {}).get("name", "-")
    rows = [
        ("Category", category),
        ("Filed", ui.fmt_dt(complaint.get("created_at"))),
        ("Channel", str(complaint.get("channel") or "-").capitalize()),
    ]
    if is_handler:
        assignee = complaint.get("assignee")
        rows += [
            ("Customer", ui.person(complaint.get("customer"))),
            ("Assignee", ui.person(assignee) if assignee else "Unassigned"),
            ("Acknowledge by", ui.fmt_dt(complaint.get("ack_due_at"))),
            ("Resolve by", ui.fmt_dt(complaint.get("resolve_due_at"))),
        ]
    for field, when in (
        ("Acknowledged", "acknowledged_at"),
        ("Resolved", "resolved_at"),
        ("Closed", "closed_at"),
    ):
        if complaint.get(when):
            rows.append((field, ui.fmt_dt(complaint[when])))
    st.markdown("  \n".join(f"**{k}:** {v}" for k, v in rows))

# --- actions -------------------------------------------------------------------------------


def transition(to_status: str, reason: str = "") -> None:
    moved = ui.attempt(
        lambda: api.transition(complaint_id, to_status=to_status, reason=reason),
        spinner="Updating...",
    )
    if moved.ok:
        done(f"Complaint is now {ui.status_label(moved.value.get('status', to_status)).lower()}.")


if is_handler:
    with st.container(border=True):
        st.subheader("Handle")
        me = api.user_id
        assignee_id = str((complaint.get("assignee") or {}).get("id") or "")
        can_set_priority = api.role in {"supervisor", "admin"}
        can_assign_others = api.role in {"supervisor", "admin"}
        assign_cols = st.columns(3)
        if assignee_id != me and assign_cols[0].button(
            "Assign to me", key="assign_me", icon=":material/person_check:"
        ):
            assigned = ui.attempt(
                lambda: api.assign(complaint_id, assignee_id=me), spinner="Assigning..."
            )
            if assigned.ok:
                done("Assigned to you.")
        if assignee_id and assign_cols[1].button(
            "Unassign", key="unassign", icon=":material/person_remove:"
        ):
            unassigned = ui.attempt(
                lambda: api.assign(complaint_id, assignee_id=None), spinner="Unassigning..."
            )
            if unassigned.ok:
                done("Complaint unassigned.")
        with assign_cols[2]:
            priority = complaint.get("priority")
            if not can_set_priority:
                st.markdown(f"Priority: {ui.priority_md(priority)}")
            else:
                new_priority = st.selectbox(
                    "Priority",
                    options=ui.PRIORITIES,
                    index=ui.PRIORITIES.index(priority) if priority in ui.PRIORITIES else None,
                    format_func=str.capitalize,
                    key=f"priority_{complaint_id}_{priority}",
                )
                if (
                    new_priority
                    and new_priority != priority
                    and st.button("Save priority", key="save_priority")
                ):
                    changed = ui.attempt(
                        lambda: api.update_complaint(complaint_id, priority=new_priority),
                        spinner="Saving priority...",
                    )
                    if changed.ok:
                        done(f"Priority set to {new_priority}.")

        if can_assign_others:  # agents may only assign themselves (the API enforces it)
            staff = ui.attempt(api.all_handlers, quiet=True)
            if not staff.ok:
                st.caption("The staff list could not be loaded right now.")
            else:
                by_id = {str(h["id"]): h for h in staff.value or [] if str(h["id"]) != assignee_id}
                pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
                target = pick_col.selectbox(
                    "Assign to …",
                    options=list(by_id),
                    index=None,
                    format_func=lambda hid: (
                        f"{by_id[hid].get('full_name') or '-'} "
                        f"({str(by_id[hid].get('role', '')).capitalize()}, "
                        f"{by_id[hid].get('open_assigned', 0)} open)"
                    ),
                    placeholder="Choose a staff member",
                    key=f"assign_to_{complaint_id}_{assignee_id}",
                )
                if go_col.button(
                    "Assign", key="assign_to_submit", icon=":material/assignment_ind:"
                ):
                    if not target:
                        pick_col.error("Choose who should handle this complaint.")
                    else:
                        name = by_id[target].get("full_name") or "them"
                        assigned = ui.attempt(
                            lambda: api.assign(complaint_id, assignee_id=target),
                            spinner="Assigning...",
                        )
                        if assigned.ok:
                            done(f"Assigned to {name}.")

        if allowed:
            needs_reason = [s for s in allowed if s in ui.REASON_REQUIRED]
            reason = ""
            if needs_reason:
                reason = st.text_area(
                    "Resolution / rejection reason",
                    key=f"reason_{complaint_id}",
                    help="Required to "
                    + " or ".join(ui.TRANSITION_LABELS[s].lower() for s in needs_reason)
                    + ". The customer will see it.",
                )
            reason_err = st.empty()
            buttons = st.columns(len(allowed))
            for col, to_status in zip(buttons, allowed, strict=True):
                kind = "primary" if to_status == "resolved" else "secondary"
                if col.button(labels.get(to_status, to_status), key=f"to_{to_status}", type=kind):
                    if to_status in ui.REASON_REQUIRED and not reason.strip():
                        reason_err.error(
                            f"Please give a reason to {labels[to_status].lower()} the complaint."
                        )
                    else:
                        transition(to_status, reason.strip())
        else:
            st.caption(f"No further status changes are possible ({ui.status_label(status)}).")
else:
    customer_moves = [s for s in allowed if s in labels]
    if customer_moves:
        with st.container(border=True):
            if status == "resolved":
                st.markdown("We believe this is resolved. Are you happy with the resolution?")
            cols = st.columns(len(customer_moves))
            for col, to_status in zip(cols, customer_moves, strict=True):
                if col.button(labels[to_status], key=f"to_{to_status}"):
                    if to_status == "withdrawn":
                        st.session_state["confirm_withdraw"] = complaint_id
                    else:
                        transition(to_status)
            if st.session_state.get("confirm_withdraw") == complaint_id:
                st.warning("Withdraw this complaint? It will be closed and cannot be reopened.")
                yes, no = st.columns(2)
                if yes.button("Yes, withdraw", key="confirm_withdraw_yes", type="primary"):
                    st.session_state.pop("confirm_withdraw", None)
                    transition("withdrawn")
                if no.button("Keep it open", key="confirm_withdraw_no"):
                    st.session_state.pop("confirm_withdraw", None)
                    st.rerun()

    if status in {"resolved", "closed"} and not complaint.get("feedback"):
        with st.form("feedback_form"):
            st.subheader("Rate the resolution")
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
        if rated:
            if rating is None:
                rating_err.error("Choose from 1 to 5 stars.")
            else:
                sent = ui.attempt(
                    lambda: api.give_feedback(complaint_id, rating=rating, comment=comment.strip()),
                    spinner="Sending...",
                    field_slots={"rating": rating_err, "comment": comment_err},
                    where=feedback_err,
                )
                if sent.ok:
                    done("Thank you for your feedback!")
if complaint.get("feedback"):
    fb = complaint["feedback"]
    st.info(
        f"Rated {'★' * int(fb.get('rating') or 0)} ({fb.get('rating')}/5)"
        + (f': "{fb["comment"]}"' if fb.get("comment") else ""),
        icon=":material/reviews:",
    )

# --- timeline ------------------------------------------------------------------------------

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


def describe(entry: dict[str, Any]) -> str:
    kind = entry.get("kind", "")
    old, new = entry.get("from_value") or "", entry.get("to_value") or ""
    if kind == "status_changed":
        return f"Status {ui.status_md(old)} → {ui.status_md(new)}" if old else ui.status_md(new)
    if kind == "priority_changed" and is_handler:
        return f"Priority {old or '-'} → {new or '-'}"
    if kind == "feedback_received" and new:
        return f"Rated {new}/5"
    if kind == "attachment_added" and new:
        return f"Attachment added: {new}"
    text = HISTORY_TEXT.get(kind, kind.replace("_", " ").capitalize())
    return text


st.subheader("Timeline")
history = ui.attempt(lambda: api.history(complaint_id), quiet=True)
comments = ui.attempt(lambda: api.list_comments(complaint_id), spinner="Loading replies...")
if not history.ok:
    st.caption("The change history could not be loaded right now.")

events: list[tuple[str, str, dict[str, Any]]] = []
for entry in history.value or []:
    if entry.get("kind") != "comment_added":  # the comments themselves are shown instead
        events.append((entry.get("created_at") or "", "history", entry))
for comment in comments.value or []:
    events.append((comment.get("created_at") or "", "comment", comment))
events.sort(key=lambda e: ui.parse_dt(e[0]) or ui.parse_dt("1970-01-01T00:00:00+00:00"))

customer_id = str((complaint.get("customer") or {}).get("id") or "")
if not events:
    st.caption("Nothing here yet.")
for when, kind, item in events:
    if kind == "history":
        hidden = " :orange-badge[internal]" if item.get("is_internal") else ""
        st.caption(
            f":material/history: {describe(item)}{hidden} - {ui.person(item.get('actor'))}, "
            f"{ui.fmt_dt(when)}"
        )
        continue
    author = item.get("author") or {}
    author_id = str(author.get("id", "")) if isinstance(author, dict) else ""
    from_customer = bool(customer_id) and author_id == customer_id
    internal = bool(item.get("internal") or item.get("is_internal"))
    with st.chat_message("user" if from_customer else "assistant"):
        label = ":orange-badge[Internal note] " if internal else ""
        st.markdown(f"{label}**{ui.person(author)}** · {ui.fmt_dt(when)}")
        st.markdown(item.get("body", ""))

# --- reply -----------------------------------------------------------------------------------


def compose() -> None:
    """The reply box. Not a form, so the internal switch restyles the box before sending.

    One draft = one Idempotency-Key (with the text and mode in it): a double click or a
    resend after a network error posts once. A sent draft starts a fresh, public one; a
    failed send keeps the text.
    """
    draft_key = f"reply_draft_{complaint_id}"
    draft = st.session_state.setdefault(draft_key, {"id": uuid.uuid4().hex, "version": 0})
    version = draft["version"]
    internal = False
    with st.container(border=True):
        if is_handler:
            internal = st.toggle(
                "Internal note (only staff will see it)",
                key=f"reply_internal_{complaint_id}_{version}",
            )
        if internal:
            st.markdown(
                ":orange-background[:material/lock: **Internal note** — the customer will "
                "not see this.]"
            )
        elif is_handler:
            st.markdown(
                ":blue-background[:material/public: **Public reply** — the customer will "
                "see this and get an email.]"
            )
        else:
            st.subheader("Reply")
        body = st.text_area(
            "Internal note" if internal else "Message",
            key=f"reply_body_{complaint_id}_{version}",
            placeholder="Only staff will read this note." if internal else "Write your reply.",
        )
        body_err = st.empty()
        send = st.button(
            "Add internal note" if internal else "Send reply",
            type="secondary" if internal else "primary",
            icon=":material/lock:" if internal else ":material/send:",
            key=f"reply_submit_{complaint_id}_{version}",
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
        lambda: api.add_comment(
            complaint_id,
            body=text,
            internal=internal,
            idempotency_key=f"{draft['id']}-{fingerprint}",
        ),
        spinner="Sending...",
        field_slots={"body": body_err},
        where=reply_err,
    )
    if sent.ok:
        st.session_state[draft_key] = {"id": uuid.uuid4().hex, "version": version + 1}
        done("Internal note added." if internal else "Reply sent.")


if status not in {"closed", "withdrawn", "rejected"} or is_handler:
    compose()

# --- attachments -----------------------------------------------------------------------------

st.subheader("Attachments")
attachments = ui.attempt(lambda: api.list_attachments(complaint_id), quiet=True)
if not attachments.ok:
    st.caption("Attachments could not be loaded right now.")
for att in attachments.value or []:
    att_id = str(att.get("id"))
    name = att.get("file_name") or att.get("original_name") or "attachment"
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].markdown(f":material/attach_file: {name} ({ui.fmt_size(att.get('size'))})")
    cols[1].download_button(
        "Download",
        data=api.attachment_download(att_id),
        file_name=name,
        mime=att.get("content_type") or "application/octet-stream",
        key=f"att_dl_{att_id}",
        icon=":material/download:",
        on_click="ignore",
    )
if attachments.ok and not attachments.value:
    st.caption("No attachments.")

if status not in {"closed", "withdrawn", "rejected"}:
    rules = ui.upload_rules(api)
    # Choosing files is the one upload action: valid files go up at once, then the box
    # empties (a new key) for the next ones.
    uploader_version = st.session_state.setdefault(f"uploader_{complaint_id}", 0)
    uploads = st.file_uploader(
        "Add files",
        accept_multiple_files=True,
        max_upload_size=ui.upload_limit_mb(rules),
        help=ui.upload_help(rules),
        key=f"detail_uploads_{complaint_id}_{uploader_version}",
    )
    st.caption(ui.upload_help(rules))
    problems = ui.upload_problems(uploads or [], rules)
    for problem in problems:
        st.error(problem, icon=":material/block:")
    if uploads and not problems:
        failed = []
        for f in uploads:
            sent = ui.attempt(
                lambda f=f: api.upload_attachment(
                    complaint_id, filename=f.name, content=f.getvalue(), content_type=f.type
                ),
                spinner=f"Uploading {f.name}...",
                quiet=True,
            )
            if not sent.ok:
                failed.append(f"{f.name}: {sent.error.message}")
        st.session_state[f"uploader_{complaint_id}"] = uploader_version + 1
        if failed:
            ui.flash("Not uploaded: " + "; ".join(failed), "error")
            st.rerun()
        done(f"{len(uploads)} file(s) attached.")
