"""File a new complaint (the API sets the priority), then upload any attachments."""

import uuid
from functools import partial

import streamlit as st

from streamlit_frontend import ui

IDEMPOTENCY_KEY = "new_complaint_idempotency_key"
FORM_VERSION = "new_complaint_form_version"

api = ui.require_login()
st.title("New complaint")

# One Idempotency-Key per form submission: a double click or a retry after a network error
# re-sends the same key, so the API files the complaint only once. A new key is made once
# the complaint has been filed.
st.session_state.setdefault(IDEMPOTENCY_KEY, str(uuid.uuid4()))
# Bumping the version gives the form fresh, empty widgets after a successful filing.
version = st.session_state.setdefault(FORM_VERSION, 0)

categories = ui.attempt(api.categories, spinner="Loading categories...")
if not categories.ok:
    st.stop()
category_names = {c["id"]: c["name"] for c in categories.value or []}
rules = ui.upload_rules(api)
if not category_names:
    st.warning("No complaint categories are available right now. Please try again later.")
    st.stop()

with st.form(f"new_complaint_form_{version}"):
    category = st.selectbox(
        "Category",
        options=list(category_names),
        format_func=category_names.__getitem__,
        index=None,
        placeholder="What is it about?",
        key=f"nc_category_{version}",
    )
    errors = {"category": st.empty()}
    title = st.text_input(
        "Title",
        max_chars=200,
        placeholder="A short summary",
        help="The title is shown in every list and is not encrypted: keep personal "
        "details in the description.",
        key=f"nc_title_{version}",
    )
    errors["title"] = st.empty()
    description = st.text_area(
        "Description",
        height=180,
        placeholder="What happened, when, and what you would like us to do.",
        key=f"nc_description_{version}",
    )
    errors["description"] = st.empty()
    st.caption(f"Attachments (optional): {ui.upload_help(rules)}")
    # No ``type=`` filter: Streamlit's own refusal is a tooltip in MIME jargon; the checks
    # below explain a refused file next to the field, before anything is filed.
    files = st.file_uploader(
        "Attachments",
        accept_multiple_files=True,
        max_upload_size=ui.upload_limit_mb(rules),
        help=ui.upload_help(rules),
        key=f"nc_files_{version}",
        label_visibility="collapsed",
    )
    errors["file"] = st.empty()
    submitted = st.form_submit_button("File complaint", type="primary", key="nc_submit")
    form_err = st.empty()

if submitted:
    local = {
        "category": "Choose a category." if category is None else "",
        "title": "Give your complaint a title." if not title.strip() else "",
        "description": "Describe what happened." if not description.strip() else "",
    }
    problems = ui.upload_problems(files or [], rules)
    if problems:
        local["file"] = "\n\n".join(problems) + "\n\nRemove these files to file the complaint."
    for field, message in local.items():
        if message:
            errors[field].error(message)
    if category is not None and not any(local.values()):
        created = ui.attempt(
            partial(
                api.create_complaint,
                category=category,
                title=title.strip(),
                description=description.strip(),
                idempotency_key=st.session_state[IDEMPOTENCY_KEY],
            ),
            spinner="Filing your complaint...",
            field_slots=errors,
            where=form_err,
        )
        if created.ok:
            complaint = created.value
            failed = [
                f"{name} ({reason})"
                for name, reason in ui.upload_all(api, complaint["id"], files or [])
            ]
            st.session_state[IDEMPOTENCY_KEY] = str(uuid.uuid4())
            st.session_state[FORM_VERSION] = version + 1
            message = f"Complaint {complaint['reference']} filed. We will keep you posted."
            if failed:
                ui.flash(
                    message + " These attachments could not be uploaded: " + "; ".join(failed),
                    "warning",
                )
            else:
                ui.flash(message)
            ui.open_complaint(complaint["id"])
