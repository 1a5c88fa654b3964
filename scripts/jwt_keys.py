"""Token signing keys of the stack: make one, rotate, retire (docs/deploy.md, "Token keys").

    uv run python scripts/jwt_keys.py new [--only] [--kong docker/kong/kong.yml]
    uv run python scripts/jwt_keys.py retire KEY_ID [--kong docker/kong/kong.yml]
    uv run python scripts/jwt_keys.py list [--kong docker/kong/kong.yml]

``new`` makes an RSA key pair, adds its public key to Kong's jwt credentials in kong.yml (the
last one listed is the current key) and prints the two ``.env`` lines: ``JWT_PRIVATE_KEY`` (the
new private key, shown only here) and ``JWT_PREVIOUS_PUBLIC_KEYS`` (every other key still in
kong.yml). ``--only`` drops the other keys (first setup; a leaked key). ``retire`` removes a
key and prints the new ``JWT_PREVIOUS_PUBLIC_KEYS``. A key id is the RFC 7638 thumbprint of
the public key, the ``kid`` Django writes into each token.
"""

import argparse
import re
import sys
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from complaints_project.rsa_keys import key_id, new_private_key_pem, public_key_pem  # noqa: E402

KONG_FILE = REPO / "docker" / "kong" / "kong.yml"
CONSUMER = "complaints-django"
BLOCK = re.compile(
    r"^(?P<indent>[ ]*)# BEGIN jwt keys[^\n]*\n.*?^[ ]*# END jwt keys[^\n]*\n", re.S | re.M
)


def read_keys(kong_file: Path) -> list[tuple[str, str]]:
    """(key id, public key PEM) of the consumer's jwt credentials, in file order."""
    config = yaml.safe_load(kong_file.read_text())
    for consumer in config.get("consumers") or []:
        if consumer.get("username") == CONSUMER:
            return [(s["key"], s["rsa_public_key"]) for s in consumer.get("jwt_secrets") or []]
    raise SystemExit(f"{kong_file}: no consumer {CONSUMER!r}")


def write_keys(kong_file: Path, keys: list[tuple[str, str]]) -> None:
    text = kong_file.read_text()
    match = BLOCK.search(text)
    if not match:
        raise SystemExit(f"{kong_file}: no '# BEGIN jwt keys' ... '# END jwt keys' block")
    indent = match["indent"]
    lines = [f"{indent}# BEGIN jwt keys: written by scripts/jwt_keys.py; the last one is current"]
    for kid, pem in keys:
        lines += [
            f'{indent}- key: "{kid}"',
            f"{indent}  algorithm: RS256",
            f"{indent}  rsa_public_key: |",
            *(f"{indent}    {line}" for line in pem.strip().splitlines()),
        ]
    lines.append(f"{indent}# END jwt keys")
    kong_file.write_text(text[: match.start()] + "\n".join(lines) + "\n" + text[match.end() :])


def env_value(pem_text: str) -> str:
    """One ``.env`` line value: newlines escaped, single-quoted (no interpolation)."""
    return "'" + pem_text.strip().replace("\n", "\\n") + "\\n'"


def print_env(keys: list[tuple[str, str]], private_pem: str | None = None) -> None:
    if private_pem is not None:
        print(f"JWT_PRIVATE_KEY={env_value(private_pem)}")
    previous = "".join(pem.strip() + "\n" for _, pem in keys[:-1])
    print(f"JWT_PREVIOUS_PUBLIC_KEYS={env_value(previous) if previous else ''}")


def command_new(kong_file: Path, *, only: bool) -> None:
    private_pem = new_private_key_pem()
    public = serialization.load_pem_private_key(private_pem.encode(), None).public_key()
    keys = [] if only else read_keys(kong_file)
    keys.append((key_id(public), public_key_pem(public)))
    write_keys(kong_file, keys)
    print(f"# {kong_file}: key {keys[-1][0]} added as the current key", file=sys.stderr)
    print_env(keys, private_pem)


def command_retire(kong_file: Path, kid: str) -> None:
    keys = read_keys(kong_file)
    remaining = [key for key in keys if key[0] != kid]
    if len(remaining) == len(keys):
        raise SystemExit(f"{kong_file}: no key {kid}")
    if not remaining:
        raise SystemExit("refusing to retire the only key (run `new --only` instead)")
    if keys[-1][0] == kid:
        raise SystemExit(f"{kid} is the current key: make a new one first")
    write_keys(kong_file, remaining)
    print(f"# {kong_file}: key {kid} removed", file=sys.stderr)
    print_env(remaining)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kong", type=Path, default=KONG_FILE, help="the Kong declarative file")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="make a key pair and make it the current key")
    new.add_argument("--only", action="store_true", help="drop every other key")
    retire = commands.add_parser("retire", help="remove a previous key")
    retire.add_argument("kid")
    commands.add_parser("list", help="list the key ids, the current one last")
    args = parser.parse_args(argv)
    if args.command == "new":
        command_new(args.kong, only=args.only)
    elif args.command == "retire":
        command_retire(args.kong, args.kid)
    else:
        for kid, _ in read_keys(args.kong):
            print(kid)


if __name__ == "__main__":
    main()
