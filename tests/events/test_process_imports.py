"""The outbox relay and the event consumer run without loading the complaints domain.

Each command runs as ``manage.py`` runs it, in a fresh interpreter, with its loop stubbed
out; the interpreter then reports which domain modules it loaded.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DOMAIN = [
    "complaints.services",
    "complaints.tasks",
    "complaints.notifications",
    "complaints.triage",
    "complaints.sla",
    "complaints.admin",
    "accounts.services",
    "analytics.handlers",
    "analytics.services",
]

DRIVER = """
import json, sys
import django
from django.core.management import ManagementUtility

django.setup()
from events import consumer, dispatch, relay

relay.OutboxRelay.run = lambda self: None
consumer.EventConsumer.__init__ = lambda self, **kw: None
consumer.EventConsumer.run = lambda self: None
consumer.EventConsumer.handled = consumer.EventConsumer.dead_lettered = 0
ManagementUtility(["manage.py", sys.argv[1]]).execute()
print(json.dumps({
    "loaded": [name for name in json.loads(sys.argv[2]) if name in sys.modules],
    "created_handlers": dispatch.handlers_for("complaint.created"),
}))
"""


@pytest.mark.parametrize("command", ["run_outbox_relay", "run_event_consumer"])
def test_command_does_not_import_the_domain(command):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "complaints_project.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, command, json.dumps(DOMAIN)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    # The consumer decides what to hand off from the registry, filled by name in ready().
    assert report["created_handlers"] == [
        "complaints.tasks.notify_receipt",
        "complaints.tasks.triage_complaint",
        "analytics.handlers.sync_complaint",
    ]
