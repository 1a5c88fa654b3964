"""gunicorn's own error answers as JSON.

gunicorn answers requests it cannot parse (request line over ``limit_request_line``, too many
or too large header fields, a NUL in a header value, a malformed request line) before Django
sees them, with an HTML page written by ``gunicorn.util.write_error``; nothing in gunicorn
makes that page configurable. ``install()`` (called by ``gunicorn.conf.py`` in each worker)
replaces that one function with one writing the API's error shape.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from gunicorn import util

CODES = {400: "bad_request", 403: "forbidden", 431: "header_too_large", 501: "not_implemented"}
DETAIL_MAX_CHARS = 200


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    detail = f"{reason}: {mesg}" if mesg else reason
    body = json.dumps(
        {
            "detail": detail[:DETAIL_MAX_CHARS],
            "code": CODES.get(
                status_int,
                "server_error" if status_int >= HTTPStatus.INTERNAL_SERVER_ERROR else "bad_request",
            ),
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_json_error
