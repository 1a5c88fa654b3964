"""The compose stack as Docker Compose resolves it: networks, least privilege, mail, first run,
operations (logs, metrics, backups) and healthchecks that work with `up --wait`."""

import ipaddress
import re

import pytest
import yaml

from tests.deploy._support import REPO, command_args, resolved_compose

DATA_STORES = {"postgres", "redis", "kafka"}


def svc(name: str) -> dict:
    return resolved_compose()["services"][name]


def services() -> dict[str, dict]:
    return resolved_compose()["services"]


def networks_of(name: str) -> set[str]:
    return set(svc(name).get("networks") or {})


def env(name: str) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in (svc(name).get("environment") or {}).items()}


def django_names() -> list[str]:
    return [
        name
        for name, service in services().items()
        if any(
            word in " ".join(command_args(service)) for word in ("manage.py", "gunicorn", "celery")
        )
    ]


def long_running() -> list[str]:
    return [name for name, service in services().items() if service.get("restart") != "no"]


# -- networks and least privilege -----------------------------------------------------------


def test_streamlit_reaches_only_kong():
    assert networks_of("streamlit") == {"frontend"}
    sharing = {name for name in services() if networks_of(name) & networks_of("streamlit")}
    assert sharing == {"streamlit", "kong"}


def test_data_stores_sit_on_an_internal_network_with_the_django_processes_only():
    for store in DATA_STORES:
        assert networks_of(store) == {"backend"}, store
    assert resolved_compose()["networks"]["backend"].get("internal") is True
    members = {name for name in services() if "backend" in networks_of(name)}
    assert members == DATA_STORES | set(django_names()) | {"backup"}
    assert "streamlit" not in members
    assert "kong" not in members


def test_kong_reaches_the_api_on_an_internal_network():
    members = {name for name in services() if "edge" in networks_of(name)}
    assert members == {"kong", "api"}
    assert resolved_compose()["networks"]["edge"].get("internal") is True


def test_kong_trusts_forwarded_addresses_from_the_streamlit_container_only():
    streamlit_ip = svc("streamlit")["networks"]["frontend"]["ipv4_address"]
    subnet = resolved_compose()["networks"]["frontend"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(streamlit_ip) in ipaddress.ip_network(subnet)
    kong_env = env("kong")
    assert kong_env["KONG_TRUSTED_IPS"].split(",") == [streamlit_ip]
    assert kong_env["KONG_REAL_IP_HEADER"] == "X-Forwarded-For"
    assert kong_env["KONG_REAL_IP_RECURSIVE"] == "on"
    # Passed through from the operator's environment (a TLS proxy in front).
    compose_text = (REPO / "docker-compose.yml").read_text()
    for name in ("KONG_TRUSTED_IPS", "KONG_REAL_IP_HEADER", "KONG_REAL_IP_RECURSIVE"):
        assert f"${{{name}:" in compose_text, name


def test_redis_requires_a_password_and_cache_and_broker_use_separate_databases():
    assert "--requirepass" in " ".join(command_args(svc("redis")))
    for name in django_names():
        cache, broker = env(name)["REDIS_URL"], env(name)["CELERY_BROKER_URL"]
        assert re.match(r"redis://:[^@]+@redis:6379/\d+$", cache), name
        assert re.match(r"redis://:[^@]+@redis:6379/\d+$", broker), name
        assert cache.rsplit("/", 1)[1] != broker.rsplit("/", 1)[1], name


def test_the_app_connects_as_a_role_that_the_init_script_creates_without_superuser():
    script = (REPO / "docker" / "postgres" / "initdb" / "10-app-role.sh").read_text()
    mounts = [v for v in svc("postgres")["volumes"] if v["target"] == "/docker-entrypoint-initdb.d"]
    assert mounts
    assert mounts[0]["read_only"]
    assert "NOSUPERUSER" in script
    assert "CREATE EXTENSION IF NOT EXISTS pgcrypto" in script
    for name in django_names():
        user = re.match(r"postgres://([^:]+):", env(name)["DATABASE_URL"])[1]
        assert user == "complaints", name
    # The superuser is the image's default (postgres); the app role is another.
    assert env("postgres").get("POSTGRES_USER", "postgres") != "complaints"


# -- mail and first run ---------------------------------------------------------------------


def test_django_processes_get_the_smtp_settings_and_mailpit_by_default():
    for name in django_names():
        variables = env(name)
        for key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
            assert key in variables, f"{name}: {key}"
        assert {"EMAIL_USE_TLS", "EMAIL_USE_SSL", "DEFAULT_FROM_EMAIL"} <= set(variables)
        assert variables["EMAIL_HOST"] == "mailpit"
    # The worker sends notifications; the api sends account emails.
    for sender in ("worker", "api"):
        assert networks_of(sender) & networks_of("mailpit"), f"{sender} sends mail"
    for port in svc("mailpit")["ports"]:
        assert port["host_ip"] == "127.0.0.1"


def test_the_migrate_service_bootstraps_after_migrating():
    command = " ".join(command_args(svc("migrate")))
    assert command.index("manage.py migrate") < command.index("manage.py bootstrap")
    assert {"BOOTSTRAP_ADMIN_EMAIL", "BOOTSTRAP_ADMIN_PASSWORD"} <= set(env("migrate"))


# -- processes --------------------------------------------------------------------------------


def test_worker_concurrency_and_grace_period_are_set():
    command = command_args(svc("worker"))
    assert any(arg.startswith("--concurrency=") and arg.split("=")[1].isdigit() for arg in command)
    assert svc("worker")["stop_grace_period"]


def test_beat_guards_a_single_scheduler():
    test = svc("beat")["healthcheck"]["test"]
    assert "complaints_project.beat_lock" in test
    celery = (REPO / "complaints_project" / "celery.py").read_text()
    assert "@beat_init.connect" in celery


# -- healthchecks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(resolved_compose()["services"]))
def test_no_healthcheck_is_disabled(name):
    """`docker compose up --wait` (Compose 2.x) fails on a container without a healthcheck
    when its image has one, and on `disable: true`."""
    check = svc(name).get("healthcheck") or {}
    assert not check.get("disable"), name
    if name in long_running():
        assert check.get("test"), f"{name} needs a healthcheck of its own"


def test_one_shot_services_are_awaited_by_a_long_running_service():
    """`up --wait` accepts an exited container only when a running service depends on it
    with service_completed_successfully."""
    one_shot = {name for name, service in services().items() if service.get("restart") == "no"}
    assert one_shot == {"migrate"}
    awaited = {
        target
        for name in long_running()
        for target, spec in (svc(name).get("depends_on") or {}).items()
        if spec["condition"] == "service_completed_successfully"
    }
    assert one_shot <= awaited


# -- operations -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(resolved_compose()["services"]))
def test_logs_are_rotated(name):
    logging = svc(name).get("logging") or {}
    assert logging.get("driver") == "json-file", name
    assert logging["options"]["max-size"]
    assert int(logging["options"]["max-file"]) >= 2


def test_prometheus_scrapes_what_the_services_serve():
    config = yaml.safe_load((REPO / "docker" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api = jobs["api"]["dns_sd_configs"][0]
    assert api["names"] == ["api"]
    assert str(api["port"]) in {str(p) for p in svc("api").get("expose", [])}
    worker = jobs["worker"]["dns_sd_configs"][0]
    assert str(worker["port"]) == env("worker")["WORKER_METRICS_PORT"]
    assert jobs["kong"]["static_configs"][0]["targets"] == ["kong:8100"]
    for name in ("api", "worker", "kong"):
        assert networks_of(name) & networks_of("prometheus"), name
    for rule_file in config["rule_files"]:
        assert (REPO / "docker" / "prometheus" / rule_file).is_file()
    for port in svc("prometheus")["ports"]:
        assert port["host_ip"] == "127.0.0.1"


def test_alerts_use_metrics_that_exist():
    alerts = (REPO / "docker" / "prometheus" / "alerts.yml").read_text()
    ours = set(re.findall(r"\b(complaints_[a-z_]+)", alerts))
    assert ours
    source = "".join(
        (REPO / path).read_text()
        for path in (
            "complaints_project/metrics.py",
            "complaints_project/celery.py",
            "events/metrics.py",
        )
    )
    for metric in ours:
        assert f'"{metric}"' in source or f'"{metric.removesuffix("_total")}"' in source, metric


def test_the_multiprocess_metrics_directory_is_set_where_processes_fork():
    for name in ("api", "worker"):
        assert env(name)["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/"), name


def test_backups_dump_the_database_and_attachments_into_their_own_volume():
    backup = svc("backup")
    assert backup["image"] == svc("postgres")["image"], "pg_dump must match the server"
    targets = {v["target"]: v for v in backup["volumes"]}
    assert targets["/backups"]["type"] == "volume"
    assert targets["/media"]["read_only"]
    assert targets["/media"]["source"] == next(
        v["source"] for v in svc("api")["volumes"] if v["target"] == "/app/media"
    )
    script = (REPO / "docker" / "backup" / "backup.sh").read_text()
    assert "pg_dump --format=custom" in script
    for key in ("PGCRYPTO_KEY", "BLIND_INDEX_KEY", "SECRET_KEY", "JWT_PRIVATE_KEY"):
        assert key not in env("backup"), "keys are backed up apart from the data"
