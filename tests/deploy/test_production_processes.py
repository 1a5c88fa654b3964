"""The production profile end to end, without containers.

The stack's processes run as the compose services run them (DJANGO_ENV=prod, the same
commands): the dev Kafka-protocol broker, `kafka_init` and `bootstrap` (the migrate service),
gunicorn with its config, a Celery worker, beat, the outbox relay, the event consumer and
Streamlit, against this test's database and Redis. A customer registers and files a complaint
over HTTP (confirming the address from the verification email); the receipt email must arrive
at a real SMTP server (aiosmtpd).
"""

import base64
import contextlib
import email
import email.policy
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings

from complaints_project.beat_lock import LOCK_KEY
from complaints_project.rsa_keys import new_private_key_pem
from events.dev_broker import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT = 120.0
MAIL_TIMEOUT = 120.0

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


class Processes:
    """Subprocesses in their own sessions, logging to files; all stopped at the end."""

    def __init__(self, log_dir: Path, env: dict[str, str]):
        self.log_dir = log_dir
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, **extra_env: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            list(args),
            cwd=REPO,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def run(self, *args: str) -> str:
        result = subprocess.run(
            list(args), cwd=REPO, env=self.env, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def assert_alive(self) -> None:
        for name, process in self.running.items():
            assert process.poll() is None, f"{name} exited {process.returncode}:\n{self.log(name)}"

    def stop_all(self) -> None:
        for process in reversed(list(self.running.values())):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def wait_for(predicate, *, timeout: float, what: str, processes: Processes):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.assert_alive()
        try:
            value = predicate()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:.0f}s")


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def stack(transactional_db, inbox, tmp_path):
    _, smtp_port = inbox
    ports = {name: free_port() for name in ("kafka", "api", "streamlit", "worker_metrics")}
    database = settings.DATABASES["default"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "DJANGO_SETTINGS_MODULE": "complaints_project.settings",
        "DJANGO_ENV": "prod",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "JWT_PRIVATE_KEY": new_private_key_pem().replace("\n", "\\n"),
        "PGCRYPTO_KEY": secrets.token_hex(32),
        "BLIND_INDEX_KEY": secrets.token_hex(32),
        "ATTACHMENT_MASTER_KEYS": "k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports['kafka']}",
        "EVENTS_RELAY_POLL_SECONDS": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "complaints@example.com",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    processes = Processes(tmp_path, env)
    python = str(BIN / "python")
    try:
        processes.start("broker", python, "manage.py", "run_dev_broker")
        wait_for_port("127.0.0.1", ports["kafka"], timeout=30)
        # What the migrate service does after `migrate` (the test database is migrated).
        processes.run(python, "manage.py", "kafka_init")
        processes.run(python, "manage.py", "bootstrap")
        processes.start(
            "api",
            str(BIN / "gunicorn"),
            "complaints_project.wsgi:application",
            "--config",
            "python:complaints_project.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{ports['api']}",
            GUNICORN_WORKERS="2",
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "api-metrics"),
        )
        processes.start(
            "worker",
            str(BIN / "celery"),
            "-A",
            "complaints_project",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            WORKER_METRICS_PORT=str(ports["worker_metrics"]),
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "worker-metrics"),
        )
        processes.start(
            "beat",
            str(BIN / "celery"),
            "-A",
            "complaints_project",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(tmp_path / "celerybeat-schedule"),
        )
        processes.start("relay", python, "manage.py", "run_outbox_relay")
        processes.start("consumer", python, "manage.py", "run_event_consumer")
        processes.start(
            "streamlit",
            str(BIN / "streamlit"),
            "run",
            "streamlit_frontend/app.py",
            "--server.port",
            str(ports["streamlit"]),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            API_BASE_URL=f"http://127.0.0.1:{ports['api']}",
        )
        yield processes, ports
    finally:
        processes.stop_all()


def test_a_complaint_filed_over_http_sends_its_receipt_by_smtp(stack, inbox):
    processes, ports = stack
    handler, _ = inbox
    api = httpx.Client(base_url=f"http://127.0.0.1:{ports['api']}", timeout=30)

    wait_for(
        lambda: api.get("/health/").status_code == 200,
        timeout=START_TIMEOUT,
        what="gunicorn answers",
        processes=processes,
    )
    wait_for(
        lambda: (
            httpx.get(f"http://127.0.0.1:{ports['streamlit']}/_stcore/health").status_code == 200
        ),
        timeout=START_TIMEOUT,
        what="Streamlit answers",
        processes=processes,
    )

    address = f"customer-{secrets.token_hex(4)}@example.com"
    password = "a-long-unguessable-passphrase-42"
    registered = api.post(
        "/api/users/", json={"email": address, "password": password, "full_name": "Ada Lovelace"}
    )
    assert registered.status_code == 202, registered.text
    # The api sends the verification email itself; the link carries the token.
    (verification,) = wait_for(
        lambda: handler.to(address),
        timeout=MAIL_TIMEOUT,
        what="the verification email",
        processes=processes,
    )
    body = verification.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+verify_email\?\S+", body)[0]
    (verification_token,) = parse_qs(urlsplit(link).query)["token"]
    verified = api.post("/api/users/verify-email/", json={"token": verification_token})
    assert verified.status_code == 200, verified.text
    token = api.post("/api/token/", json={"email": address, "password": password})
    assert token.status_code == 200, token.text
    auth = {"Authorization": f"Bearer {token.json()['access']}"}
    categories = api.get("/api/categories/", headers=auth).json()
    category = categories["results"][0] if isinstance(categories, dict) else categories[0]

    filed = api.post(
        "/api/complaints/",
        headers=auth,
        json={
            "category": category["id"],
            "title": "Parcel arrived crushed",
            "description": "The box was flattened.",
        },
    )
    assert filed.status_code == 201, filed.text
    reference = filed.json()["reference"]

    (receipt,) = wait_for(
        lambda: [m for m in handler.to(address) if reference in str(m["Subject"])],
        timeout=MAIL_TIMEOUT,
        what="the receipt email",
        processes=processes,
    )
    assert reference in receipt["Subject"]
    assert receipt["From"] == "complaints@example.com"

    # gunicorn's access log is JSON with the request id Django answered with.
    request_id = filed.headers["X-Request-ID"]
    access = [
        json.loads(line)
        for line in processes.log("api").splitlines()
        if line.startswith("{") and '"gunicorn.access"' in line
    ]
    (line,) = [entry for entry in access if entry["request_id"] == request_id]
    assert (line["method"], line["path"], line["status"]) == ("POST", "/api/complaints/", "201")

    ready = api.get("/health/ready/")
    assert ready.status_code == 200, ready.text

    metrics = api.get("/metrics").text
    assert "complaints_outbox_pending_events" in metrics
    assert "django_http_requests_latency_seconds_by_view_method" in metrics
    worker_metrics = wait_for(
        lambda: (
            (text := httpx.get(f"http://127.0.0.1:{ports['worker_metrics']}/metrics").text)
            and 'state="SUCCESS"' in text
            and text
        ),
        timeout=30,
        what="the worker's task metrics",
        processes=processes,
    )
    assert "complaints_celery_tasks_total" in worker_metrics

    holder = redis.Redis.from_url(settings.REDIS_URL).get(LOCK_KEY)
    assert holder is not None
    assert holder.decode().endswith(f":{processes.running['beat'].pid}")
