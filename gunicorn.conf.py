"""gunicorn settings read by every ``gunicorn`` started from the project root (its default
config file); command-line flags (bind, workers in docker-compose.yml) override these.

The limits are gunicorn's defaults, stated so the API's documented limits have one home:
a request line over 4094 bytes, more than 100 header fields or a field over 8190 bytes is
refused before Django runs, answered in JSON (complaints_project/gunicorn_errors.py).
"""

limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190


def post_worker_init(worker):
    from complaints_project.gunicorn_errors import install  # noqa: PLC0415 - after the worker has loaded Django

    install()
