"""gunicorn settings of the api: ``gunicorn -c python:complaints_project.gunicorn_conf``.

Both gunicorn logs are JSON lines like Django's; each access line carries the request id
(``X-Request-ID``, set on every response by complaints_project/middleware.py), the same id
Kong and Django log for that request. The Prometheus multiprocess directory is emptied at
start and dead workers are dropped from it (complaints_project/metrics.py).
"""

import logging
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104 - inside the container
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Heartbeat files in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s"

_JSON = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"access_fields": {"()": "complaints_project.gunicorn_conf.AccessLogFields"}},
    "formatters": {"json": _JSON},
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json"},
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["access_fields"],
            "stream": "ext://sys.stdout",
        },
    },
    # gunicorn merges this over its defaults, whose root logger names a "console" handler.
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


class AccessLogFields(logging.Filter):
    """Copies gunicorn's access atoms into fields of the JSON line."""

    FIELDS = {
        "request_id": "{x-request-id}o",
        "method": "m",
        "path": "U",
        "status": "s",
        "duration_ms": "M",
        "bytes": "B",
        "remote_addr": "h",
        "user_agent": "a",
    }

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, dict):
            for field, atom in self.FIELDS.items():
                setattr(record, field, atoms[atom])
        return True


def _metrics_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server) -> None:
    directory = _metrics_dir()
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if _metrics_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
