"""scripts/jwt_keys.py: the operator's key setup and rotation keep kong.yml and .env in step."""

import shutil
import subprocess
import sys

import yaml
from cryptography.hazmat.primitives import serialization

from complaints_project.rsa_keys import key_id, pem_blocks
from tests.deploy._support import KONG_FILE, REPO


def jwt_keys(kong_file, *args: str) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "jwt_keys.py"), "--kong", str(kong_file), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def kong_keys(kong_file) -> list[str]:
    config = yaml.safe_load(kong_file.read_text())
    (consumer,) = config["consumers"]
    return [secret["key"] for secret in consumer["jwt_secrets"]]


def env_pems(value: str) -> list[str]:
    return pem_blocks(value.strip("'"))


def kid_of_private(value: str) -> str:
    (pem,) = env_pems(value)
    return key_id(serialization.load_pem_private_key(pem.encode(), None).public_key())


def kid_of_public(pem: str) -> str:
    return key_id(serialization.load_pem_public_key(pem.encode()))


def test_setup_rotation_and_retirement(tmp_path):
    kong_file = tmp_path / "kong.yml"
    shutil.copy(KONG_FILE, kong_file)

    first = jwt_keys(kong_file, "new", "--only")
    first_kid = kid_of_private(first["JWT_PRIVATE_KEY"])
    assert kong_keys(kong_file) == [first_kid]
    assert first["JWT_PREVIOUS_PUBLIC_KEYS"] == ""

    second = jwt_keys(kong_file, "new")
    second_kid = kid_of_private(second["JWT_PRIVATE_KEY"])
    assert kong_keys(kong_file) == [first_kid, second_kid]
    assert [kid_of_public(p) for p in env_pems(second["JWT_PREVIOUS_PUBLIC_KEYS"])] == [first_kid]

    retired = jwt_keys(kong_file, "retire", first_kid)
    assert kong_keys(kong_file) == [second_kid]
    assert retired == {"JWT_PREVIOUS_PUBLIC_KEYS": ""}
    # The rest of the file is untouched.
    assert (
        kong_file.read_text().split("consumers:")[0] == KONG_FILE.read_text().split("consumers:")[0]
    )


def test_the_current_key_cannot_be_retired(tmp_path):
    kong_file = tmp_path / "kong.yml"
    shutil.copy(KONG_FILE, kong_file)
    current = kid_of_private(jwt_keys(kong_file, "new", "--only")["JWT_PRIVATE_KEY"])

    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "jwt_keys.py"), "--kong", str(kong_file)]
        + ["retire", current],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert kong_keys(kong_file) == [current]
