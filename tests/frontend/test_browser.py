"""One real-browser journey: headless Chromium drives `streamlit run` against the live API."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.core import mail
from django.db import connection
from playwright.sync_api import expect, sync_playwright

from accounts.models import Role
from complaints import services
from complaints.workflow import Status
from events.envelope import envelope_for
from events.models import OutboxEvent
from events.tasks import handle_event
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import DEFAULT_PASSWORD, CategoryFactory, UserFactory
from tests.helpers.frontend import APP_PATH

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def streamlit_url(api_url, tmp_path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "API_BASE_URL": api_url,
        "API_PUBLIC_URL": api_url,
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP_PATH),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The app and the API on one host name, as in production behind Kong.
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{(tmp_path / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def emailed_link(address: str, page: str) -> str:
    """The newest link to ``page`` emailed to ``address`` (the live server's locmem outbox)."""
    for message in reversed(mail.outbox):
        found = re.search(rf"(http\S+/{page}\?token=[\w.\-]+)", str(message.body))
        if address in message.to and found:
            return found.group(1)
    raise AssertionError(f"no {page} link was emailed to {address}")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"frontend_{name}.png"), full_page=True)


def log_in(page, email: str, password: str) -> None:
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_accounts_sessions_and_the_composer_in_a_real_browser(  # noqa: PLR0915 - one story in one browser
    streamlit_url, categories, settings
):
    # Emailed links lead to this app; it reaches the API on the same host (cookies ignore
    # ports), so the browser-session cookie set by the API is sent to the app.
    settings.FRONTEND_BASE_URL = streamlit_url
    agent = UserFactory.create(role=Role.AGENT, full_name="Bob Agent")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        customer_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = customer_ctx.new_page()
        page.set_default_timeout(30_000)
        current = page
        try:
            # --- sign up, confirm the address from the email, log in ---------------------
            page.goto(streamlit_url)
            page.get_by_role("link", name="Sign up").first.click()
            expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
            page.get_by_label("Full name").fill("Grace Browser")
            page.get_by_label("Email").fill("grace@example.com")
            page.get_by_label("Password", exact=True).fill("Sturdy-Pass-2026")
            page.get_by_label("Repeat password").fill("Sturdy-Pass-2026")
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_text("we have sent an email to grace@example.com")).to_be_visible()
            assert (
                page.get_by_label("Password", exact=True).get_attribute("autocomplete")
                == "current-password"
            )
            assert page.get_by_label("Email").get_attribute("autocomplete") == "username"
            shot(page, "signup_check_email")

            page.goto(emailed_link("grace@example.com", "verify_email"))
            expect(page.get_by_text("your email address is confirmed")).to_be_visible()
            shot(page, "email_confirmed")
            page.get_by_role("link", name="Log in").last.click()
            log_in(page, "grace@example.com", "Sturdy-Pass-2026")
            expect(page.get_by_role("heading", name="My complaints")).to_be_visible()

            # --- file a complaint; F5 keeps the user on it ---------------------------------
            page.get_by_role("link", name="New complaint").click()
            expect(page.get_by_role("heading", name="New complaint")).to_be_visible()
            expect(page.get_by_text("up to 10 MB per file").first).to_be_visible()
            page.get_by_label("Category").click()
            page.get_by_role("option", name="Delivery").click()
            page.get_by_label("Title", exact=True).fill("Parcel left in the rain")
            page.get_by_label("Description").fill("The courier left my parcel outside.")
            page.get_by_role("button", name="File complaint").click()
            heading = page.get_by_role("heading", name="Parcel left in the rain")
            expect(heading).to_be_visible()
            complaint_url = page.url
            assert "complaint_detail?id=" in complaint_url
            page.reload()
            expect(heading).to_be_visible()
            expect(page.get_by_text("Page not found")).to_have_count(0)
            shot(page, "complaint_after_reload")
            cookies = {c["name"]: c for c in customer_ctx.cookies()}
            assert cookies["complaints_session"]["httpOnly"] is True
            assert cookies["complaints_session"]["sameSite"] == "Strict"
            assert page.evaluate("document.cookie").find("complaints_session") == -1

            # --- the same link in a fresh tab opens the complaint at once ------------------
            tab = customer_ctx.new_page()
            current = tab
            tab.goto(complaint_url)
            expect(tab.get_by_role("heading", name="Parcel left in the rain")).to_be_visible()
            shot(tab, "deep_link_new_tab")
            tab.close()
            current = page

            # --- staff: a deep link before login opens the complaint after it --------------
            staff_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            staff = staff_ctx.new_page()
            staff.set_default_timeout(30_000)
            current = staff
            staff.goto(complaint_url)
            log_in(staff, agent.email, DEFAULT_PASSWORD)
            expect(staff.get_by_role("heading", name="Parcel left in the rain")).to_be_visible()
            shot(staff, "deep_link_after_login")

            # --- an internal note, then a public reply ------------------------------------
            staff.get_by_text("Internal note (only staff will see it)").click()
            expect(staff.get_by_text("the customer will not see this")).to_be_visible()
            staff.get_by_label("Internal note", exact=True).fill("Courier has a history here.")
            shot(staff, "composer_internal_mode")
            staff.get_by_role("button", name="Add internal note").dblclick()
            expect(staff.get_by_text("Internal note added.")).to_be_visible()
            # After sending: empty box, back to public.
            expect(staff.get_by_text("the customer will see this")).to_be_visible()
            assert staff.get_by_label("Message", exact=True).input_value() == ""
            staff.get_by_label("Message", exact=True).fill(
                "We are sorry; a new parcel is on its way."
            )
            staff.get_by_role("button", name="Send reply").click()
            expect(staff.get_by_text("Reply sent.")).to_be_visible()
            shot(staff, "composer_after_public_reply")
            expect(staff.get_by_text("Courier has a history here.")).to_have_count(1)
            staff_ctx.close()
            current = page

            # --- the customer sees the reply, never the note -------------------------------
            page.reload()
            expect(page.get_by_text("a new parcel is on its way")).to_be_visible()
            expect(page.get_by_text("Courier has a history here.")).to_have_count(0)
            shot(page, "customer_sees_public_reply_only")

            # --- log out; a forgotten password is reset from the emailed link --------------
            page.get_by_role("button", name="Log out").click()
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()
            page.reload()  # the session cookie is dead: still logged out
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()
            page.get_by_role("link", name="Forgot password?").click()
            # The login page has an "Email" field too: wait for the new page before typing.
            expect(page.get_by_role("heading", name="Forgot password")).to_be_visible()
            page.get_by_label("Email").fill("grace@example.com")
            page.get_by_role("button", name="Email me a link").click()
            expect(page.get_by_text("we have sent it a link")).to_be_visible()
            page.goto(emailed_link("grace@example.com", "reset_password"))
            expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
            assert (
                page.get_by_label("New password", exact=True).get_attribute("autocomplete")
                == "new-password"
            )
            page.get_by_label("New password", exact=True).fill("Fresh-Lantern-2027")
            page.get_by_label("Repeat new password").fill("Fresh-Lantern-2027")
            page.get_by_role("button", name="Set password").click()
            expect(page.get_by_text("Your password has been changed")).to_be_visible()
            log_in(page, "grace@example.com", "Fresh-Lantern-2027")
            expect(page.get_by_role("heading", name="My complaints")).to_be_visible()
            shot(page, "logged_in_after_reset")

            # --- a phone-sized screen opens the complaint at the top ----------------------
            page.set_viewport_size({"width": 390, "height": 844})
            complaint_id = complaint_url.split("id=")[1].split("&")[0]
            page.locator(f".st-key-open_{complaint_id} button").click()
            expect(page.get_by_role("heading", name="Parcel left in the rain")).to_be_visible()
            page.wait_for_timeout(500)
            scrolled = page.evaluate(
                "document.querySelector('[data-testid=stMain]')?.scrollTop ?? window.scrollY"
            )
            shot(page, "mobile_complaint_top")
            assert scrolled == 0
        except Exception:
            current.screenshot(path=str(ARTIFACTS / "frontend_failure.png"), full_page=True)
            raise
        finally:
            browser.close()


def run_event_handlers(*, after: int) -> None:
    """What the Celery worker does with the events committed after outbox row ``after``."""
    try:
        for event in OutboxEvent.objects.filter(id__gt=after).order_by("id"):
            handle_event.run(envelope_for(event))
    finally:
        connection.close()


def test_a_customer_reply_marks_the_assignees_queue_and_emails_them(streamlit_url, settings):
    """The customer replies in the app; the assignee's queue shows the marker, an email with a
    link arrives for the assignee (the registered handlers run on the committed events), and
    opening the complaint clears the marker."""
    settings.FRONTEND_BASE_URL = streamlit_url
    category = CategoryFactory.create(name="Billing", slug="billing")
    customer = UserFactory.create(role=Role.CUSTOMER, full_name="Carla Customer")
    agent = UserFactory.create(role=Role.AGENT, full_name="Ann Assignee")
    complaint = make_complaint(
        customer=customer, category=category, status=Status.IN_PROGRESS, title="Double charge"
    )
    services.complaint_assign(complaint=complaint, actor=None, assignee=agent)
    handled = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    row = f".st-key-row_{complaint.pk}"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(30_000)
        try:
            # --- the customer replies ------------------------------------------------------
            page.goto(f"{streamlit_url}/complaint_detail?id={complaint.pk}")
            log_in(page, customer.email, DEFAULT_PASSWORD)
            expect(page.get_by_role("heading", name="Double charge")).to_be_visible()
            page.get_by_label("Message", exact=True).fill("I was charged twice, still not fixed.")
            page.get_by_role("button", name="Send reply").click()
            expect(page.get_by_text("Reply sent.")).to_be_visible()

            # --- the worker's part: the committed events through the registered handlers ---
            # (in a thread of its own: Playwright's event loop runs in this one)
            with ThreadPoolExecutor(1) as worker:
                worker.submit(run_event_handlers, after=handled).result()
            link = f"{streamlit_url}/complaint_detail?id={complaint.pk}"
            [email] = [m for m in mail.outbox if agent.email in m.to]
            assert email.subject == f"Customer replied on complaint {complaint.reference}"
            for text in ("Hello Ann Assignee,", "I was charged twice, still not fixed.", link):
                assert text in str(email.body)

            # --- the assignee's queue shows the marker and the time ------------------------
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(30_000)
            page.goto(streamlit_url)
            log_in(page, agent.email, DEFAULT_PASSWORD)
            page.get_by_role("link", name="Queue").click()
            expect(page.get_by_role("heading", name="Queue")).to_be_visible()
            expect(page.locator(row).get_by_text("New customer activity")).to_be_visible()
            expect(page.locator(row).get_by_text("Customer last active")).to_be_visible()
            shot(page, "queue_unread_marker")

            # --- the emailed link opens the complaint; back in the queue the marker is gone -
            page.goto(link)
            expect(page.get_by_role("heading", name="Double charge")).to_be_visible()
            expect(page.get_by_text("I was charged twice, still not fixed.")).to_be_visible()
            page.get_by_role("link", name="Queue").click()
            expect(page.locator(row)).to_be_visible()
            expect(page.locator(row).get_by_text("New customer activity")).to_have_count(0)
            shot(page, "queue_marker_cleared")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "frontend_failure_notify.png"), full_page=True)
            raise
        finally:
            browser.close()
