"""Liveness and readiness. Checks are listed in settings.HEALTH_CHECKS so apps can add theirs."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

CheckResult = tuple[bool, dict[str, Any]]


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, {}


def check_cache() -> CheckResult:
    cache.set("health:ping", "pong", timeout=5)
    return cache.get("health:ping") == "pong", {}


def _run(name: str, check: Callable[[], CheckResult]) -> dict[str, Any]:
    try:
        ok, details = check()
    except Exception as exc:  # noqa: BLE001 - a failing dependency is reported, not raised
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok, **details}


def _get_only(view):
    """GET/HEAD only, answering other methods with a JSON 405 (probes never send a body)."""

    @csrf_exempt
    @never_cache
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse(
                {"detail": f'Method "{request.method}" not allowed.'}, status=405
            )
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_get_only
def liveness(request):
    """The process is up and serving; no dependency is touched."""
    return JsonResponse({"status": "ok"})


def check_name(path: str) -> str:
    return path.rsplit(".", 1)[-1].removeprefix("check_")


def run_checks(names: set[str] | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run the checks of settings.HEALTH_CHECKS (those in ``names``, or all): (all ok, results)."""
    results = {}
    for path in settings.HEALTH_CHECKS:
        name = check_name(path)
        if names is None or name in names:
            results[name] = _run(name, import_string(path))
    return all(r["ok"] for r in results.values()), results


@_get_only
def readiness(request):
    """Every dependency in settings.HEALTH_CHECKS answers; 503 otherwise.

    Not published through Kong (its figures are for operators): the container healthchecks
    and Prometheus read it, and `manage.py probe` runs the same checks.
    """
    ready, results = run_checks()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
