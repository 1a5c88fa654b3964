"""The Streamlit app for tests: where it lives (AppTest and the browser test's server), and the
steps of the AppTest flows (log in, open a page, read its text and charts, follow an emailed
link)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from django.core import mail
from streamlit.testing.v1 import AppTest

from tests.helpers.factories import DEFAULT_PASSWORD

APP_PATH = Path(__file__).resolve().parents[2] / "streamlit_frontend" / "app.py"


def texts(at: AppTest) -> str:
    """All visible text of the current page, for loose assertions."""
    parts = [e.value for e in (*at.title, *at.markdown, *at.caption, *at.subheader)]
    parts += [e.value for e in (*at.success, *at.info, *at.warning, *at.error)]
    return "\n".join(str(p) for p in parts)


def chart(at: AppTest, key: str) -> dict:
    """The Plotly figure (its JSON) of the chart with ``key``."""
    found = [c for c in at.get("plotly_chart") if c.key == key]
    assert found, [c.key for c in at.get("plotly_chart")]
    return json.loads(found[0].proto.spec)


def plotted(values: Any) -> list:
    """A trace's ``x``/``y`` as a list: Plotly writes numeric arrays as base64 typed arrays."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def goto(at: AppTest, page: str) -> AppTest:
    """Open a page like a user clicking it in the sidebar navigation.

    ``AppTest.switch_page`` keeps requesting that page on every later run, whereas a browser
    follows the app's own ``st.switch_page``/``st.rerun`` navigation afterwards. Clearing the
    pending request after the run gives browser semantics.
    """
    at.switch_page(page).run()
    at._page_hash = ""
    assert_ok(at)
    return at


def log_in(at: AppTest, email: str, password: str = DEFAULT_PASSWORD) -> AppTest:
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()
    assert_ok(at)
    return at


def sign_up(at: AppTest, *, name: str, email: str, password: str) -> AppTest:
    goto(at, "app_pages/signup.py")
    at.text_input(key="signup_full_name").input(name)
    at.text_input(key="signup_email").input(email)
    at.text_input(key="signup_password").input(password)
    at.text_input(key="signup_password2").input(password)
    at.button(key="signup_submit").click().run()
    assert_ok(at)
    return at


def signed_up_and_verified(at: AppTest, *, name: str, email: str, password: str) -> AppTest:
    """Sign up, open the emailed confirmation link, log in."""
    sign_up(at, name=name, email=email, password=password)
    assert at.title[0].value == "Log in"
    assert any("sent an email" in i.value for i in at.info), [i.value for i in at.info]
    open_emailed_link(at, email, "verify_email")
    assert any("confirmed" in m.value for m in at.success), texts(at)
    goto(at, "app_pages/login.py")
    return log_in(at, email, password)


def emailed_token(email: str, page: str) -> str:
    """The token of the newest link to ``page`` emailed to ``email`` (locmem outbox)."""
    for message in reversed(mail.outbox):
        found = re.search(rf"/{page}\?token=([\w.\-]+)", str(message.body))
        if email in message.to and found:
            return found.group(1)
    raise AssertionError(f"no {page} link was emailed to {email}")


def open_emailed_link(at: AppTest, email: str, page: str) -> AppTest:
    at.query_params["token"] = emailed_token(email, page)
    return goto(at, f"app_pages/{page}.py")


def draft_version(at: AppTest, complaint_id: str) -> int:
    return at.session_state[f"reply_draft_{complaint_id}"]["version"]


def send_reply(at: AppTest, complaint_id: str, text: str, *, internal: bool = False) -> AppTest:
    version = draft_version(at, complaint_id)
    if internal:
        at.toggle(key=f"reply_internal_{complaint_id}_{version}").set_value(True).run()
    at.text_area(key=f"reply_body_{complaint_id}_{version}").input(text)
    at.button(key=f"reply_submit_{complaint_id}_{version}").click().run()
    assert_ok(at)
    return at


def file_complaint(at: AppTest, *, category, title: str, description: str) -> AppTest:
    goto(at, "app_pages/new_complaint.py")
    version = at.session_state["new_complaint_form_version"]
    select = at.selectbox(key=f"nc_category_{version}")
    assert category.name in select.options
    select.select(category.id)  # the option value is the id; the label is its name
    at.text_input(key=f"nc_title_{version}").input(title)
    at.text_area(key=f"nc_description_{version}").input(description)
    at.button(key="nc_submit").click().run()
    assert_ok(at)
    return at


def open_detail(at: AppTest, complaint) -> AppTest:
    at.session_state["current_complaint_id"] = str(complaint.pk)
    return goto(at, "app_pages/complaint_detail.py")


def keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}
