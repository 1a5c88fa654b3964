"""Settings for the subprocess Celery worker of test_worker.py (file emails, fast restore)."""

import os

from complaints_project.settings_test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EVENTS_TEST_MAIL_DIR"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
