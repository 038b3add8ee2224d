"""The web pages, the JSON API and the CLI only adapt input and output: the services own the
transactions and the audit entries (issue 13: one way through the house). import-linter checks
which packages may import which (pyproject.toml); this checks what it cannot see: a front-end
reaching the store through the node (`node.store.write()`) or writing audit rows itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "csnet"
FRONT_ENDS = sorted([*(PACKAGE / "web").rglob("*.py"), *(PACKAGE / "cli").rglob("*.py")])
AUDIT_WRITERS = {"append", "append_many", "audit_one"}
STORE_MODULES = ("csnet.store.tables", "csnet.store.engine", "sqlalchemy")
# why: the web app maps a database's refusal of a value (DataError) to a 4xx, as it maps others
ALLOWED_IMPORTS = {("app.py", "sqlalchemy.exc")}


def problems(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"write", "read", "engine"}:
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "store":
                found.append(f"line {node.lineno}: opens the store (.store.{node.attr})")
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("csnet.audit"):
                names = {alias.name for alias in node.names} & AUDIT_WRITERS
                found += [f"line {node.lineno}: writes audit rows ({n})" for n in sorted(names)]
            if (
                node.module.startswith(STORE_MODULES)
                and (path.name, node.module) not in ALLOWED_IMPORTS
            ):
                found.append(f"line {node.lineno}: imports {node.module}")
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(STORE_MODULES):
                    found.append(f"line {node.lineno}: imports {alias.name}")
    return sorted(found, key=lambda line: int(line.split()[1].rstrip(":")))


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_front_ends_call_services_only(path: Path) -> None:
    assert problems(path) == []


def test_the_check_sees_a_front_end_that_opens_a_transaction(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(
        "from csnet.audit import append\n"
        "from csnet.store.tables import items\n"
        "def handler(node):\n"
        "    with node.store.write() as conn:\n"
        "        append(conn, None, None)\n",
        "utf-8",
    )
    assert problems(page) == [
        "line 1: writes audit rows (append)",
        "line 2: imports csnet.store.tables",
        "line 4: opens the store (.store.write)",
    ]
