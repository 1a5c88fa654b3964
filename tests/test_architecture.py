"""Apps depend one way: accounts <- complaints <- analytics; events imports no domain app."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOMAIN = ("accounts", "complaints", "analytics")
FORBIDDEN = {
    "accounts": {"complaints", "analytics", "events", "demo"},
    "complaints": {"analytics", "demo"},
    "analytics": {"demo"},
    "events": {"accounts", "complaints", "analytics", "demo"},
}


def imported_apps(path: Path) -> set[str]:
    """Top-level packages a module imports, lazy imports inside functions included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_point_one_way(app):
    offending = {
        f"{path.relative_to(REPO)} -> {target}"
        for path in (REPO / app).rglob("*.py")
        if "migrations" not in path.parts
        for target in imported_apps(path) & FORBIDDEN[app]
    }
    assert not offending, sorted(offending)
