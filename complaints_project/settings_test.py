"""Test overrides on top of the one settings module."""

import os

os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
# Tests flush their Redis database; keep them off the dev one (db 0) unless told otherwise.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from complaints_project.settings import *  # noqa: F403
from complaints_project.settings import BASE_DIR, LOGGING, env

# Still Argon2 (tests check the stored algorithm), with cheap parameters.
PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".test-media")
LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="WARNING")
