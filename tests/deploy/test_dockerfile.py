"""The application image: hadolint, and what the image must and must not contain."""

import re
import subprocess

from tests.helpers.deploy import (
    DOCKERFILE,
    DOCKERIGNORE,
    hadolint,
    load_settings,
    settings_secrets,
)


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            result.append((keyword.upper(), args.strip()))
    return result


def test_hadolint_reports_nothing():
    result = subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_base_images_are_pinned():
    images = [args.split()[0] for keyword, args in instructions() if keyword == "FROM"]
    assert images, "no FROM"
    for image in images:
        _, _, tag = image.partition(":")
        assert re.fullmatch(r"\d+\.\d+\.\d+.*", tag), f"{image} is not pinned to a version"
    assert any(i.startswith("ghcr.io/astral-sh/uv:") for i in images)
    assert images[-1].startswith("python:3.11."), "runtime must be the python 3.11 image"


def test_dependencies_come_from_the_lock_without_dev_tools():
    runs = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    assert "uv sync --frozen --no-dev" in runs
    assert "pip install" not in runs


def test_collectstatic_runs_with_the_prod_profile_and_every_secret():
    """The prod storage writes the manifest; the prod settings need each secret to load."""
    runs = [args for keyword, args in instructions() if keyword == "RUN"]
    (collect,) = [args for args in runs if "collectstatic" in args]
    assert "DJANGO_ENV=prod" in collect
    for name in settings_secrets():
        assert f"{name}=build-only-placeholder" in collect, f"{name} missing: the build would fail"
    build_env = dict(re.findall(r"\b([A-Z][A-Z0-9_]*)=(\S+)", collect.split("manage.py")[0]))
    result = load_settings(build_env)
    assert result.returncode == 0, f"collectstatic's settings would not load:\n{result.stderr}"


def test_runs_as_a_non_root_numeric_user():
    users = [args for keyword, args in instructions() if keyword == "USER"]
    assert users, "the image must switch away from root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), f"USER {users[-1]}: use a numeric id"
    assert int(uid) != 0, "USER must not be root"


def test_no_secret_is_baked_into_the_image():
    for keyword, args in instructions():
        if keyword in {"ENV", "ARG"}:
            assert not re.search(r"(SECRET|PASSWORD|TOKEN|_KEY)\b", args), args


def test_build_context_excludes_secrets_and_the_local_venv():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".env", ".venv", ".git"} <= ignored
