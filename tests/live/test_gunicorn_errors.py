"""Requests gunicorn refuses before Django runs are answered in the API's JSON error shape."""

import json
import socket

import pytest

pytestmark = pytest.mark.django_db


def raw_exchange(server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is and read the whole answer (gunicorn closes these connections)."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def assert_json_error(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict:
    assert status == expected, body
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    document = json.loads(body)
    assert isinstance(document["detail"], str)
    assert document["detail"]
    return document


def test_request_line_over_the_limit_is_json_400(gunicorn_test_server):
    path = "/api/complaints/?q=" + "a" * 5000
    response = raw_exchange(
        gunicorn_test_server, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    )

    document = assert_json_error(*response, expected=400)
    assert "Request Line is too large" in document["detail"]


def test_header_field_over_the_limit_is_json_431(gunicorn_test_server):
    request = (
        b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
    )

    document = assert_json_error(*raw_exchange(gunicorn_test_server, request), expected=431)
    assert document["code"] == "header_too_large"


def test_too_many_header_fields_is_json_431(gunicorn_test_server):
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(150))
    request = b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + b"\r\n"

    assert_json_error(*raw_exchange(gunicorn_test_server, request), expected=431)


def test_nul_in_a_header_value_is_json_400(gunicorn_test_server):
    request = b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Name: a\x00b\r\n\r\n"

    assert_json_error(*raw_exchange(gunicorn_test_server, request), expected=400)


def test_malformed_request_line_is_json_400(gunicorn_test_server):
    request = b"GET /api/users/me/ HTTP/9.x\r\nHost: 127.0.0.1\r\n\r\n"

    assert_json_error(*raw_exchange(gunicorn_test_server, request), expected=400)


def test_a_normal_request_still_reaches_django(gunicorn_test_server):
    request = b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

    status, headers, _body = raw_exchange(gunicorn_test_server, request)

    assert status == 401
    assert headers["content-type"] == "application/json"
    assert "x-request-id" in headers
