"""Kong's declarative config, checked against Kong's rules and against the stack."""

import re
import uuid

from complaints_project.middleware import _VALID_REQUEST_ID, RequestIdMiddleware
from tests.deploy._support import REPO, command_text, environment, kong, services

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
AUTH_PLUGINS = {"jwt", "key-auth", "basic-auth", "hmac-auth", "oauth2", "ldap-auth", "session"}
# Config fields of the plugins we use, from kong/plugins/<name>/schema.lua at tag 3.9.1: a
# misspelt field would make Kong refuse the whole file at start.
PLUGIN_FIELDS = {
    "jwt": {
        "uri_param_names",
        "cookie_names",
        "key_claim_name",
        "secret_is_base64",
        "claims_to_verify",
        "anonymous",
        "run_on_preflight",
        "maximum_expiration",
        "header_names",
        "realm",
    },
    "rate-limiting": {
        "second",
        "minute",
        "hour",
        "day",
        "month",
        "year",
        "limit_by",
        "header_name",
        "path",
        "policy",
        "fault_tolerant",
        "redis",
        "hide_client_headers",
        "error_code",
        "error_message",
        "sync_rate",
    },
    "correlation-id": {"header_name", "generator", "echo_downstream"},
    "file-log": {"path", "reopen", "custom_fields_by_lua"},
    "prometheus": {
        "per_consumer",
        "status_code_metrics",
        "ai_metrics",
        "latency_metrics",
        "bandwidth_metrics",
        "upstream_health_metrics",
    },
    "cors": {
        "origins",
        "headers",
        "exposed_headers",
        "methods",
        "max_age",
        "credentials",
        "private_network",
        "preflight_continue",
    },
    "request-size-limiting": {"allowed_payload_size", "size_unit", "require_content_length"},
}
HEALTHCHECK_FIELDS = {
    "active": {
        "type",
        "timeout",
        "concurrency",
        "http_path",
        "https_sni",
        "https_verify_certificate",
        "headers",
        "healthy",
        "unhealthy",
    },
    "passive": {"type", "healthy", "unhealthy"},
    "healthy": {"interval", "http_statuses", "successes"},
    "unhealthy": {"interval", "http_statuses", "tcp_failures", "timeouts", "http_failures"},
}
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


def global_plugin(name: str) -> dict:
    matches = [p for p in kong().get("plugins", []) if p["name"] == name]
    assert len(matches) == 1, f"expected one global {name} plugin, found {len(matches)}"
    return matches[0]["config"]


def upstream(name: str) -> dict:
    matches = [u for u in kong().get("upstreams", []) if u["name"] == name]
    assert len(matches) == 1, name
    return matches[0]


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


def test_services_balance_over_upstream_targets_that_are_compose_services():
    for service in kong()["services"]:
        assert "url" not in service, f"{service['name']}: use host = an upstream"
        targets = upstream(service["host"])["targets"]
        assert targets, service["name"]
        for target in targets:
            host, _, port = target["target"].partition(":")
            assert host in services(), f"{service['name']}: no compose service {host}"
            compose_service = services()[host]
            assert port in {str(p) for p in compose_service.get("expose", [])}, target
            assert f":{port}" in command_text(compose_service), f"{host} does not bind {port}"


def test_upstreams_check_health_actively_and_passively():
    for entry in kong()["upstreams"]:
        checks = entry["healthchecks"]
        active, passive = checks["active"], checks["passive"]
        assert set(active) <= HEALTHCHECK_FIELDS["active"]
        assert set(passive) <= HEALTHCHECK_FIELDS["passive"]
        for mode in (active, passive):
            assert set(mode["healthy"]) <= HEALTHCHECK_FIELDS["healthy"]
            assert set(mode["unhealthy"]) <= HEALTHCHECK_FIELDS["unhealthy"]
        assert active["healthy"]["interval"] > 0
        assert active["unhealthy"]["interval"] > 0
        assert active["healthy"]["successes"] > 0
        assert active["unhealthy"]["tcp_failures"] > 0
        assert passive["unhealthy"]["tcp_failures"] > 0
        assert passive["unhealthy"]["timeouts"] > 0
        # Liveness, not readiness: a Kafka outage must not empty the balancer.
        assert active["http_path"] == "/health/"


def test_kong_follows_container_address_changes():
    env = environment(services()["kong"])
    # Docker's DNS TTL is 600 s; both of Kong's DNS clients are told to re-resolve sooner.
    assert 0 < int(env["KONG_DNS_VALID_TTL"]) <= 30
    assert 0 < int(env["KONG_RESOLVER_VALID_TTL"]) <= 30
    assert env["KONG_ANONYMOUS_REPORTS"] == "off"


def test_django_url_prefixes_are_routed():
    urls = (REPO / "complaints_project" / "urls.py").read_text()
    prefixes = set(re.findall(r"path\(\s*[\"']([^\"'/]+)/", urls))
    routed = {
        p.lstrip("~").strip("/").split("/")[0] for r in all_routes() for p in r.get("paths", [])
    }
    assert prefixes <= routed, f"not routed through Kong: {prefixes - routed}"


def test_plugins_are_bundled_with_kong_and_use_fields_it_knows():
    for entry in all_plugins():
        assert entry["name"] in BUNDLED_PLUGINS, entry["name"]
        known = PLUGIN_FIELDS.get(entry["name"])
        assert known is not None, f"add the schema fields of {entry['name']} to PLUGIN_FIELDS"
        assert set(entry.get("config") or {}) <= known, entry


def test_jwt_is_the_only_authentication_and_names_the_key_by_kid():
    assert {p["name"] for p in all_plugins()} & AUTH_PLUGINS == {"jwt"}
    config = plugin("jwt")
    assert config["key_claim_name"] == "kid"
    assert "exp" in config["claims_to_verify"]
    # Tokens only in the Authorization header, as Django reads them.
    assert config["uri_param_names"] == []
    assert config["cookie_names"] == []
    assert config["run_on_preflight"] is False


def test_jwt_refuses_refresh_tokens_but_not_access_tokens():
    from django.conf import settings

    maximum = plugin("jwt")["maximum_expiration"]
    lifetimes = settings.SIMPLE_JWT
    assert lifetimes["ACCESS_TOKEN_LIFETIME"].total_seconds() <= maximum
    assert maximum < lifetimes["REFRESH_TOKEN_LIFETIME"].total_seconds()


def test_jwt_credentials_are_public_rsa_keys_named_by_their_thumbprint():
    from cryptography.hazmat.primitives import serialization

    from complaints_project.rsa_keys import key_id

    (consumer,) = [c for c in kong()["consumers"] if c["username"] == "complaints-django"]
    credentials = consumer["jwt_secrets"]
    assert credentials
    for credential in credentials:
        assert credential["algorithm"] == "RS256"
        assert "PRIVATE" not in credential["rsa_public_key"]
        public = serialization.load_pem_public_key(credential["rsa_public_key"].encode())
        assert credential["key"] == key_id(public), "the key must be the kid Django writes"


def test_request_size_limit_fits_an_attachment():
    config = plugin("request-size-limiting")
    limit = config["allowed_payload_size"] * UNIT_BYTES[config.get("size_unit", "megabytes")]
    try:
        from django.conf import settings

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


def test_rate_limiting_works_without_a_database_per_client_address():
    limits = [p["config"] for p in all_plugins() if p["name"] == "rate-limiting"]
    assert global_plugin("rate-limiting") in limits
    for config in limits:
        assert config["policy"] == "local", "DB-less Kong has no 'cluster' policy"
        assert config["limit_by"] in {"ip", "consumer"}
        assert any(config.get(window) for window in ("second", "minute", "hour"))


def test_logs_carry_the_request_id_without_secrets():
    config = global_plugin("file-log")
    assert config["path"] == "/dev/stdout"
    # Cookies and bearer tokens live in the headers.
    assert config["custom_fields_by_lua"]["request.headers"] == "return nil"
    assert config["custom_fields_by_lua"]["response.headers"] == "return nil"
    # nginx's own access line (another request id) is off; file-log's carries correlation_id.
    assert environment(services()["kong"])["KONG_PROXY_ACCESS_LOG"] == "off"


def test_prometheus_plugin_is_served_on_the_internal_status_port():
    global_plugin("prometheus")
    env = environment(services()["kong"])
    status_port = env["KONG_STATUS_LISTEN"].rsplit(":", 1)[1]
    published = [str(p).rsplit(":", 1)[-1] for p in services()["kong"].get("ports", [])]
    assert status_port not in published
    scrape = (REPO / "docker" / "prometheus" / "prometheus.yml").read_text()
    assert f"kong:{status_port}" in scrape


def test_cors_allows_the_streamlit_origin():
    # The default published port of the streamlit service.
    assert "${STREAMLIT_PORT:-8501}:8501" in services()["streamlit"]["ports"]
    assert "http://localhost:8501" in plugin("cors")["origins"]
