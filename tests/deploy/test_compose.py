"""docker-compose.yml: validated by Docker Compose itself, then cross-checked with the code."""

import os
import re
import subprocess
from pathlib import Path

import django
import pytest

from tests.deploy._support import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    REPO,
    REQUIRED_REF,
    command_args,
    command_text,
    compose_cli,
    django_services,
    environment,
    interpolate,
    load_settings,
    services,
    settings_secrets,
)

PUBLISHED = {"kong": "8000", "streamlit": "8501"}
# Operators' web UIs: published on the host's loopback interface only.
LOOPBACK_ONLY = {"mailpit": "8025", "prometheus": "9090"}
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|_KEY$)")
OPTIONAL_EMPTY_REF = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):-\}$")


def required_vars() -> set[str]:
    return set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE_FILE.read_text()))


def run_compose(*args: str, env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what compose needs: no secret from the caller's environment leaks in.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(env_overrides)
    return subprocess.run(
        [*compose_cli(), "--project-directory", str(REPO), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_compose_config_is_valid():
    dummies = {name: f"dummy-{name.lower()}" for name in required_vars()}
    result = run_compose("config", "--quiet", env_overrides=dummies)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_run_without_the_secrets():
    result = run_compose("config", "--quiet", env_overrides={})
    assert result.returncode != 0
    assert "required variable" in result.stderr, result.stderr


def test_every_prod_secret_of_the_settings_is_required():
    secrets = settings_secrets()
    assert {"SECRET_KEY", "PGCRYPTO_KEY", "BLIND_INDEX_KEY"} <= secrets
    assert secrets | {"POSTGRES_PASSWORD", "DATABASE_PASSWORD", "REDIS_PASSWORD"} <= required_vars()
    for name, service in django_services().items():
        env = environment(service)
        for secret in secrets:
            assert REQUIRED_REF.match(env.get(secret, "")), f"{name}: {secret}"
        assert "${DATABASE_PASSWORD:?" in env["DATABASE_URL"], name
        assert "${REDIS_PASSWORD:?" in env["REDIS_URL"], name
        assert "${REDIS_PASSWORD:?" in env["CELERY_BROKER_URL"], name


@pytest.mark.parametrize("name", sorted(services()))
def test_secret_looking_variables_are_never_literal(name):
    for key, value in environment(services()[name]).items():
        if SECRET_NAME.search(key):
            # Required, or empty unless set (an old key kept only during a rotation, an
            # optional credential such as the SMTP password).
            match = REQUIRED_REF.match(value) or OPTIONAL_EMPTY_REF.match(value)
            assert match, f"{name}: {key} must be ${{{key}:?...}} or ${{{key}:-}}"
            assert match["name"] == key, f"{name}: {key} reads another variable"


def test_env_example_lists_every_required_variable_with_a_placeholder():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    assert set(values) == required_vars()
    for key, value in values.items():
        assert value.startswith("replace-me"), f"{key} must hold an obvious placeholder"


@pytest.mark.parametrize("name", sorted(django_services()))
def test_prod_settings_load_with_the_service_environment(name):
    env = {key: interpolate(value) for key, value in environment(services()[name]).items()}
    result = load_settings(env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", sorted(django_services()))
def test_django_runs_with_the_prod_profile(name):
    env = environment(services()[name])
    assert env.get("DJANGO_ENV") == "prod"
    assert env.get("DEBUG", "false").lower() == "false"


def test_only_kong_and_streamlit_publish_ports_beyond_loopback():
    published = {name for name, svc in services().items() if svc.get("ports")}
    assert published == set(PUBLISHED) | set(LOOPBACK_ONLY)
    for name, container_port in {**PUBLISHED, **LOOPBACK_ONLY}.items():
        for mapping in services()[name]["ports"]:
            target = str(mapping["target"] if isinstance(mapping, dict) else mapping)
            assert target.rsplit(":", 1)[-1] == container_port, f"{name}: {mapping}"
            if name in LOOPBACK_ONLY:
                assert str(mapping).startswith("127.0.0.1:"), f"{name}: {mapping}"


def test_kong_admin_api_stays_inside_its_container():
    env = environment(services()["kong"])
    assert env["KONG_DATABASE"] == "off"
    for listener in env.get("KONG_ADMIN_LISTEN", "").split(","):
        assert listener.strip().startswith(("127.0.0.1:", "off")), listener


def test_api_waits_for_the_migrations():
    depends = services()["api"]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services()["migrate"].get("restart") == "no"


def test_healthy_conditions_point_at_services_with_a_healthcheck():
    all_services = services()
    for name, service in all_services.items():
        for target, spec in (service.get("depends_on") or {}).items():
            if spec.get("condition") == "service_healthy":
                check = all_services[target].get("healthcheck") or {}
                assert check.get("test"), f"{name} -> {target}: no healthcheck"
                assert not check.get("disable"), f"{name} -> {target}: healthcheck disabled"


def test_app_services_state_their_healthcheck():
    """The image's HEALTHCHECK probes the API port; every other app process overrides it."""
    api_image = services()["api"]["image"]
    for name, service in services().items():
        if service.get("image") == api_image and name != "api":
            assert "healthcheck" in service, name


def _repo_commands() -> set[str]:
    return {
        path.stem
        for path in REPO.glob("*/management/commands/*.py")
        if not path.name.startswith("_")
    }


def _django_commands() -> set[str]:
    root = Path(django.__file__).parent
    return {path.stem for path in root.glob("**/management/commands/*.py")}


@pytest.mark.parametrize("name", sorted(services()))
def test_management_commands_exist(name):
    wanted = re.findall(r"manage\.py\s+([a-z_][a-z0-9_]*)", command_text(services()[name]))
    known = _repo_commands() | _django_commands()
    for command in wanted:
        assert command in known, f"{name}: manage.py {command} has no management command"


def test_process_entry_points_exist():
    for name, service in services().items():
        args = command_args(service)
        if not args:
            continue
        if args[0] == "gunicorn":
            module = args[1].split(":")[0]
            assert (REPO / (module.replace(".", "/") + ".py")).is_file(), name
        if args[0] == "celery":
            app = args[args.index("-A") + 1]
            assert (REPO / app / "celery.py").is_file(), name
        if args[0] == "streamlit":
            assert (REPO / args[2]).is_file(), f"{name}: {args[2]}"


def test_kong_mounts_the_declarative_config():
    kong = services()["kong"]
    target = environment(kong)["KONG_DECLARATIVE_CONFIG"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in kong["volumes"]}
    assert (REPO / mounts[target]).resolve() == (REPO / "docker/kong/kong.yml").resolve()
