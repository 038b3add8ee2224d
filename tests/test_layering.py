"""Dependencies point one way: web -> domain -> store; pure rules import neither store nor web."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "csnet"
WEB_LIBS = ("fastapi", "starlette", "jinja2", "httpx", "uvicorn")
PURE = ("handling", "items", "indicators")
DOMAIN = ("alerts", "accounts", "audit", "store", "bus", "live", "federation", "correlation")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_do_no_io(package: str) -> None:
    for path in _modules(package):
        for name in _imports(path):
            assert not name.startswith(("sqlalchemy", "csnet.store", "csnet.web", "csnet.node")), (
                f"{path.name} imports {name}"
            )
            assert not name.startswith(WEB_LIBS), f"{path.name} imports {name}"


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_never_imports_the_web(package: str) -> None:
    for path in _modules(package):
        for name in _imports(path):
            assert not name.startswith((*WEB_LIBS, "csnet.web", "csnet.cli")), (
                f"{path.name} imports {name}"
            )


def test_handling_does_not_import_items() -> None:
    for path in _modules("handling"):
        assert not any(n.startswith("csnet.items") for n in _imports(path)), path.name


def test_no_module_over_500_lines() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text("utf-8").count("\n")
        assert lines <= 500, f"{path.relative_to(PACKAGE)} has {lines} lines"
