"""A worker SIGKILLed in the middle of a task: the task comes back (acks_late) and runs once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from complaints_project.celery import app as celery_app
from events import dispatch
from events.models import ProcessedEvent
from events.relay import connect_outside_django
from tests.helpers.events import create_complaint, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
HANDLER = "complaints.tasks.notify_receipt"
TASK = "events.handle_event"  # what the consumer queues: one task per event


def _worker(mail_dir: Path, log: Path) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.events.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EVENTS_TEST_MAIL_DIR": str(mail_dir),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "complaints_project",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _sent_mails(mail_dir: Path, reference: str) -> int:
    return sum(
        p.read_text().count(f"Subject: We received your complaint {reference}")
        for p in mail_dir.glob("*.log")
    )


def _blocked_on_claim() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query ILIKE '%%events_processedevent%%'"
        )
        return cursor.fetchone()[0] > 0


def test_worker_killed_mid_task_is_redelivered_and_runs_once(people, celery_queue, tmp_path):
    complaint = create_complaint(people["customer"], people["category"])
    event_id = str(uuid.uuid4())
    envelope = {
        "event_id": event_id,
        "type": "complaint.created",
        "schema_version": 1,
        "occurred_at": complaint.created_at.isoformat(),
        "aggregate_id": str(complaint.pk),
        "payload": {},
    }
    mail_dir, log = tmp_path / "mail", tmp_path / "worker.log"
    mail_dir.mkdir()

    # Another transaction holds the task's claim: the worker blocks inside the task.
    blocker = connect_outside_django()
    blocker.cursor().execute(
        "INSERT INTO events_processedevent (event_id, handler, processed_at)"
        " VALUES (%s, %s, now())",
        [event_id, HANDLER],
    )
    worker = _worker(mail_dir, log)
    try:
        celery_app.send_task(TASK, args=[envelope])
        wait_until(_blocked_on_claim, timeout=30, interval=0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        blocker.rollback()  # the "other" claim never commits
        blocker.close()
    assert _sent_mails(mail_dir, complaint.reference) == 0
    assert not ProcessedEvent.objects.exists()

    time.sleep(2.5)  # past the visibility timeout: Redis gives the unacked task back
    worker = _worker(mail_dir, log)
    try:
        wait_until(
            lambda: ProcessedEvent.objects.filter(event_id=event_id).count() == 3,
            timeout=40,
            interval=0.2,
        )
        wait_until(lambda: _sent_mails(mail_dir, complaint.reference) == 1, timeout=10)
        # Run it once more by hand: already processed, no second email.
        celery_app.send_task(TASK, args=[envelope])
        time.sleep(1.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert _sent_mails(mail_dir, complaint.reference) == 1
    handlers = ProcessedEvent.objects.filter(event_id=event_id).values_list("handler", flat=True)
    assert sorted(handlers) == sorted(dispatch.handlers_for("complaint.created"))
