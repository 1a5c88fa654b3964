"""Operator-facing endpoints: the API index, offline docs, metrics, probes, startup checks."""

import re

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import override_settings

from complaints_project.checks import check_mail_host

pytestmark = pytest.mark.django_db


def test_api_index_links_to_the_docs_schema_and_resources(api_client):
    response = api_client.get("/api/")

    assert response.status_code == 200
    links = response.json()
    assert links["docs"] == "http://testserver/api/docs/"
    assert links["schema"] == "http://testserver/api/schema/"
    for name, url in links.items():
        status = api_client.get(url.removeprefix("http://testserver")).status_code
        assert status in {200, 401, 405}, (name, url, status)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_only_local_assets(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert sources, html
    for source in sources:
        assert not re.match(r"(https?:)?//", source), f"{path} loads {source} from elsewhere"
    assets = [s for s in sources if s.startswith("/static/")]
    assert assets, sources
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"


def test_admin_view_site_opens_the_streamlit_app(settings):
    assert admin.site.site_url == settings.FRONTEND_BASE_URL


def test_metrics_report_requests_database_time_and_the_pipeline(client, customer_client):
    customer_client.get("/api/complaints/")

    body = client.get("/metrics").content.decode()

    assert "django_http_requests_latency_seconds_by_view_method" in body
    assert 'complaints_http_request_db_seconds_count{view="complaint-list"}' in body
    assert "complaints_db_query_duration_seconds_bucket" in body
    for name in (
        "complaints_outbox_pending_events",
        "complaints_outbox_oldest_pending_seconds",
        "complaints_consumer_lag_events",
        "complaints_celery_queue_length",
    ):
        assert re.search(rf"^{name} ", body, re.M), name
    assert 'complaints_pipeline_check_ok{check="outbox"} 1.0' in body


def test_probe_runs_the_named_checks(capsys):
    call_command("probe", "database", "cache", "outbox")

    out = capsys.readouterr().out
    assert '"database": {"ok": true}' in out
    assert "kafka" not in out


def test_probe_fails_when_a_check_fails(settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:1"

    with pytest.raises(CommandError, match="not ready"):
        call_command("probe", "kafka")


def test_probe_refuses_unknown_checks():
    with pytest.raises(CommandError, match="unknown check"):
        call_command("probe", "databse")


@pytest.mark.parametrize(
    ("is_prod", "host", "warned"),
    [(True, "", True), (True, "smtp.example.com", False), (False, "", False)],
)
def test_prod_without_a_mail_host_is_warned(is_prod, host, warned):
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(IS_PROD=is_prod, EMAIL_HOST=host, EMAIL_BACKEND=smtp):
        ids = [message.id for message in check_mail_host(None)]

    assert ids == (["complaints_project.W001"] if warned else [])
