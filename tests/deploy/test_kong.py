"""Kong's declarative config, checked against Kong's rules and against the stack."""

import re
import uuid
from urllib.parse import urlsplit

from django.conf import settings

from complaints_project.middleware import _VALID_REQUEST_ID, RequestIdMiddleware
from tests.helpers.deploy import REPO, command_text, kong, services

# The plugins bundled with the open-source Kong 3.9 image (kong/constants.lua).
BUNDLED_PLUGINS = {
    "acl", "acme", "ai-prompt-decorator", "ai-prompt-guard", "ai-prompt-template", "ai-proxy",
    "ai-request-transformer", "ai-response-transformer", "aws-lambda", "azure-functions",
    "basic-auth", "bot-detection", "correlation-id", "cors", "datadog", "file-log",
    "grpc-gateway", "grpc-web", "hmac-auth", "http-log", "ip-restriction", "jwt", "key-auth",
    "ldap-auth", "loggly", "oauth2", "opentelemetry", "post-function", "pre-function",
    "prometheus", "proxy-cache", "rate-limiting", "redirect", "request-size-limiting",
    "request-termination", "request-transformer", "response-ratelimiting",
    "response-transformer", "session", "standard-webhooks", "statsd", "syslog", "tcp-log",
    "udp-log", "zipkin",
}  # fmt: skip
# Kong must not authenticate: Django validates the simplejwt tokens itself.
AUTH_PLUGINS = {"jwt", "key-auth", "basic-auth", "hmac-auth", "oauth2", "ldap-auth", "session"}
UNIT_BYTES = {"bytes": 1, "kilobytes": 2**10, "megabytes": 2**20}
ATTACHMENT_LIMIT = 10 * 2**20


def all_routes() -> list[dict]:
    nested = [dict(r, service=s["name"]) for s in kong()["services"] for r in s.get("routes", [])]
    return nested + list(kong().get("routes", []))


def all_plugins() -> list[dict]:
    config = kong()
    plugins = list(config.get("plugins", []))
    for service in config["services"]:
        plugins += service.get("plugins", [])
        for route in service.get("routes", []):
            plugins += route.get("plugins", [])
    return plugins


def plugin(name: str) -> dict:
    matches = [p for p in all_plugins() if p["name"] == name]
    assert len(matches) == 1, f"expected one {name} plugin, found {len(matches)}"
    return matches[0]["config"]


def test_format_version():
    assert kong()["_format_version"] == "3.0"


def test_every_route_points_at_a_defined_service():
    names = [s["name"] for s in kong()["services"]]
    assert len(names) == len(set(names))
    routes = all_routes()
    assert routes
    for route in routes:
        service = route["service"]
        service = service["name"] if isinstance(service, dict) else service
        assert service in names, route
        assert route.get("strip_path") is False, f"{route['name']}: Django needs the full path"


def test_services_point_at_compose_services_on_their_port():
    for service in kong()["services"]:
        url = urlsplit(service["url"])
        assert url.hostname in services(), f"{service['name']}: no compose service {url.hostname}"
        target = services()[url.hostname]
        ports = {str(p) for p in target.get("expose", [])}
        assert str(url.port) in ports, f"{url.hostname} does not expose {url.port}"
        assert f":{url.port}" in command_text(target), f"{url.hostname} does not bind {url.port}"


def test_django_url_prefixes_are_routed():
    urls = (REPO / "complaints_project" / "urls.py").read_text()
    prefixes = set(re.findall(r"path\(\s*[\"']([^\"'/]+)/", urls))
    routed = {p.strip("/").split("/")[0] for r in all_routes() for p in r.get("paths", [])}
    assert prefixes <= routed, f"not routed through Kong: {prefixes - routed}"


def test_plugins_are_bundled_with_kong():
    for entry in all_plugins():
        assert entry["name"] in BUNDLED_PLUGINS, entry["name"]


def test_kong_does_not_authenticate():
    assert not {p["name"] for p in all_plugins()} & AUTH_PLUGINS


def test_request_size_limit_fits_an_attachment():
    config = plugin("request-size-limiting")
    limit = config["allowed_payload_size"] * UNIT_BYTES[config.get("size_unit", "megabytes")]
    try:
        attachment_limit = max(ATTACHMENT_LIMIT, settings.ATTACHMENT_MAX_BYTES)
    except Exception:  # noqa: BLE001 - settings not configured (run without pytest-django)
        attachment_limit = ATTACHMENT_LIMIT
    assert limit > attachment_limit


def test_request_id_header_matches_django():
    config = plugin("correlation-id")
    assert config["header_name"].lower() == RequestIdMiddleware.header.lower()
    assert config["echo_downstream"] is True
    # Kong's "uuid" ids must pass Django's validation, or Django would replace them.
    assert config["generator"] == "uuid"
    assert _VALID_REQUEST_ID.match(str(uuid.uuid4()))


def test_rate_limiting_works_without_a_database():
    config = plugin("rate-limiting")
    assert config["policy"] == "local", "DB-less Kong has no 'cluster' policy"
    assert any(config.get(window) for window in ("second", "minute", "hour"))


def test_cors_allows_the_streamlit_origin():
    # The default published port of the streamlit service.
    assert "${STREAMLIT_PORT:-8501}:8501" in services()["streamlit"]["ports"]
    assert "http://localhost:8501" in plugin("cors")["origins"]
