"""One real-browser journey: headless Chromium drives `streamlit run` against the live API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

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
    env = {**os.environ, "API_BASE_URL": api_url, "PYTHONUNBUFFERED": "1"}
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
    url = f"http://127.0.0.1:{port}"
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


def test_new_customer_files_a_complaint_and_sees_it_listed(streamlit_url, categories):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        try:
            page.goto(streamlit_url)
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()

            # Sign up (and get logged straight in).
            page.get_by_role("link", name="Sign up").first.click()
            expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
            page.get_by_label("Full name").fill("Grace Browser")
            page.get_by_label("Email").fill("grace@example.com")
            page.get_by_label("Password", exact=True).fill("Sturdy-Pass-2026")
            page.get_by_label("Repeat password").fill("Sturdy-Pass-2026")
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="My complaints")).to_be_visible()
            expect(page.get_by_text("Welcome, Grace Browser!")).to_be_visible()

            # File a complaint.
            page.get_by_role("button", name="New complaint").click()
            expect(page.get_by_role("heading", name="New complaint")).to_be_visible()
            expect(page.get_by_text("up to 10 MB per file").first).to_be_visible()
            page.get_by_label("Category").click()
            page.get_by_role("option", name="Delivery").click()
            page.get_by_label("Title", exact=True).fill("Parcel left in the rain")
            page.get_by_label("Description").fill(
                "The courier left my parcel outside; it's soaked."
            )
            page.get_by_role("button", name="File complaint").click()
            heading = page.get_by_role("heading", name="Parcel left in the rain")
            expect(heading).to_be_visible()
            reference = heading.inner_text().split(" - ")[0].strip()
            assert reference.startswith("CMP-")
            expect(page.get_by_text("Complaint filed").first).to_be_visible()  # timeline
            page.screenshot(path=str(ARTIFACTS / "frontend_complaint_detail.png"), full_page=True)

            # Back to the list: the new reference is there.
            page.get_by_role("link", name="My complaints").first.click()
            expect(page.get_by_role("heading", name="My complaints")).to_be_visible()
            expect(page.get_by_text(reference).first).to_be_visible()
            expect(page.get_by_text("Parcel left in the rain").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "frontend_my_complaints.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "frontend_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
