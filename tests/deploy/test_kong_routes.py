"""What Kong lets through without a token, driven by Django's own URL patterns.

Kong's router is modelled from kong/router/transform.lua (get_priority, 3.9.1, the default
``traditional_compatible`` flavour): among the routes whose paths and methods match, the one
with the most match fields wins, then a regex path over a prefix, then ``regex_priority``,
then the longest prefix. A path starting with ``~`` is a regex anchored at the start.

Every API view that Django serves without authentication (AllowAny or no permission class)
must land on a route without the jwt plugin; every other API view on a route with it. A new
public endpoint therefore fails here until kong.yml lists it.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

from tests.deploy._support import kong

INTERNAL_PATHS = ["/health/ready/", "/metrics"]


def routes() -> list[dict]:
    return [route for service in kong()["services"] for route in service.get("routes", [])]


def _path_matches(route_path: str, path: str) -> bool:
    if route_path.startswith("~"):
        return re.match(route_path[1:], path) is not None
    return path.startswith(route_path)


def _priority(route: dict) -> tuple:
    paths = route.get("paths") or []
    regex = bool(paths) and paths[0].startswith("~")
    weight = sum(1 for field in ("paths", "methods", "hosts", "headers") if route.get(field))
    length = 0 if regex or not paths else len(paths[0])
    return (weight, regex, route.get("regex_priority", 0) if regex else 0, length)


def kong_route(method: str, path: str) -> dict | None:
    """The route Kong picks for the request, or None (Kong answers 404 itself)."""
    candidates = []
    for route in routes():
        methods = route.get("methods")
        if methods and method not in methods:
            continue
        # Kong splits a route whose paths differ in kind or length into one route per group.
        for route_path in route.get("paths") or []:
            if _path_matches(route_path, path):
                candidates.append((_priority({**route, "paths": [route_path]}), route))
    if not candidates:
        return None
    return max(candidates, key=lambda candidate: candidate[0])[1]


def requires_token(route: dict) -> bool:
    return any(plugin["name"] == "jwt" for plugin in route.get("plugins", []))


SAMPLES = {"uuid": lambda: str(uuid.uuid4()), "int": lambda: "1", "str": lambda: "x"}


def _sample(pattern: str) -> str:
    def fill(match: re.Match) -> str:
        return SAMPLES.get(match["converter"] or "str", SAMPLES["str"])()

    return re.sub(r"<(?:(?P<converter>\w+):)?\w+>", fill, pattern)


def api_endpoints() -> list[tuple[str, str, bool]]:
    """(method, sample path, public) of every DRF view under /api/."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                path = "/" + _sample(prefix + str(entry.pattern))
                view = getattr(entry.callback, "cls", None)
                if view is None or not path.startswith("/api/"):
                    continue
                public = all(issubclass(p, AllowAny) for p in view.permission_classes)
                for method in view.http_method_names:
                    if method not in {"options", "head"} and hasattr(view, method):
                        found.append((method.upper(), path, public))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_router_model_agrees_with_known_answers():
    assert kong_route("GET", "/api/")["name"] == "api-index"
    assert kong_route("POST", "/api/users/")["name"] == "api-register"
    assert kong_route("GET", "/api/users/me/")["name"] == "api"
    assert kong_route("POST", "/api/token/refresh/")["name"] == "api-token"
    assert kong_route("GET", "/api/docs/")["name"] == "api-docs"
    assert kong_route("GET", "/health/")["name"] == "health"
    assert kong_route("GET", "/apix") is None


def test_every_api_view_is_found():
    endpoints = api_endpoints()
    assert ("POST", "/api/users/", True) in endpoints
    assert ("POST", "/api/token/", True) in endpoints
    assert any(path.startswith("/api/complaints/") and not public for _, path, public in endpoints)


@pytest.mark.parametrize(("method", "path", "public"), api_endpoints())
def test_kong_asks_a_token_exactly_where_django_does(method, path, public):
    route = kong_route(method, path)

    assert route is not None, f"{method} {path} is not routed"
    assert requires_token(route) is not public, (
        f"{method} {path}: Django {'serves it' if public else 'requires a token'}; "
        f"Kong route {route['name']} {'requires' if requires_token(route) else 'skips'} one"
    )


def test_liveness_is_public():
    route = kong_route("GET", "/health/")

    assert route is not None
    assert not requires_token(route)


@pytest.mark.parametrize("path", INTERNAL_PATHS)
def test_operator_endpoints_are_not_routed(path):
    for method in ("GET", "HEAD", "POST"):
        assert kong_route(method, path) is None, f"{method} {path} reaches Django through Kong"
