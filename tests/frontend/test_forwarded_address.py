"""The Streamlit client forwards the browser's address, for Kong's per-person rate limit."""

import httpx

from streamlit_frontend.api_client import ApiClient


def sent_headers(client_address: str | None) -> httpx.Headers:
    seen = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json=[])

    http = httpx.Client(transport=httpx.MockTransport(record))
    ApiClient({}, base_url="http://kong:8000", http=http, client_address=client_address).request(
        "GET", "/api/categories/", auth=False
    )
    return seen[0]


def test_the_browser_address_is_forwarded():
    assert sent_headers("203.0.113.7")["X-Forwarded-For"] == "203.0.113.7"


def test_no_address_no_header():
    assert "X-Forwarded-For" not in sent_headers(None)
