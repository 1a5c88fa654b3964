import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils.module_loading import import_string

CORE_CHECKS = [
    "complaints_project.health.check_database",
    "complaints_project.health.check_cache",
]


def failing_check():
    raise ConnectionError("dependency is down")


def unhealthy_check():
    return False, {"reason": "lagging"}


def test_liveness(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(HEALTH_CHECKS=CORE_CHECKS)
def test_readiness_up(client):
    response = client.get("/health/ready/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "cache": {"ok": True}},
    }


@pytest.mark.django_db
def test_readiness_503_when_cache_is_down(client):
    broken = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    # override_settings(CACHES=...) resets the cache handler: a fresh connection to the bad port.
    with override_settings(CACHES=broken, HEALTH_CHECKS=CORE_CHECKS):
        response = client.get("/health/ready/")

    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["checks"]["database"] == {"ok": True}
    assert data["checks"]["cache"]["ok"] is False
    assert "127.0.0.1" not in response.content.decode()  # no connection details leak


@pytest.mark.django_db
@override_settings(HEALTH_CHECKS=[*CORE_CHECKS, "tests.test_health.failing_check"])
def test_readiness_503_when_a_check_raises(client):
    response = client.get("/health/ready/")

    assert response.status_code == 503
    assert response.json()["checks"]["failing_check"] == {"ok": False, "error": "ConnectionError"}


@pytest.mark.django_db
@override_settings(HEALTH_CHECKS=["tests.test_health.unhealthy_check"])
def test_readiness_503_when_a_check_reports_not_ok(client):
    response = client.get("/health/ready/")

    assert response.status_code == 503
    assert response.json()["checks"]["unhealthy_check"] == {"ok": False, "reason": "lagging"}


def test_liveness_does_not_need_dependencies(client):
    with override_settings(HEALTH_CHECKS=["tests.test_health.failing_check"]):
        assert client.get("/health/").status_code == 200


@pytest.mark.parametrize("path", ["/health/", "/health/ready/"])
def test_health_rejects_other_methods_with_json_405(path):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, data="{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert response["Allow"] == "GET, HEAD"


def test_configured_checks_are_importable():
    for path in settings.HEALTH_CHECKS:
        assert callable(import_string(path))
