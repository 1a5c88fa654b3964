"""Apps depend one way: accounts <- complaints <- analytics; events imports no domain app.
Tests share helpers only through ``tests/helpers``, never by importing a test or conftest module."""

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


def imported_modules(path: Path) -> set[str]:
    """Dotted names of the modules a module imports (absolute imports only), lazy imports
    inside functions included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_apps(path: Path) -> set[str]:
    """Top-level packages a module imports."""
    return {name.split(".")[0] for name in imported_modules(path)}


def is_test_module(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def relative_imports(path: Path) -> list[int]:
    """Line numbers of ``from . import ...`` style imports (which would hide a test module)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_point_one_way(app):
    offending = {
        f"{path.relative_to(REPO)} -> {target}"
        for path in (REPO / app).rglob("*.py")
        if "migrations" not in path.parts
        for target in imported_apps(path) & FORBIDDEN[app]
    }
    assert not offending, sorted(offending)


def test_tests_import_no_test_or_conftest_module():
    offending = sorted(
        f"{path.relative_to(REPO)} -> {name}"
        for path in (REPO / "tests").rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] == "tests" and is_test_module(name)
    )
    offending += sorted(
        f"{path.relative_to(REPO)}:{line} relative import"
        for path in (REPO / "tests").rglob("*.py")
        for line in relative_imports(path)
    )
    assert not offending, offending


def test_the_test_import_check_sees_a_helper_taken_from_a_test_module():
    assert is_test_module("tests.frontend.test_app_flows")
    assert is_test_module("tests.live.conftest")
    assert not is_test_module("tests.helpers.frontend")
