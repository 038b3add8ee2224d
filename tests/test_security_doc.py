"""docs/security.md proves each defence with a named test: every test it names must exist."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
# `tests/path/test_file.py::test_name` or `tests/path/test_file.py::TestClass::test_name`
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+(?:::\w+)?)`")
THREAT_HEADER = re.compile(r"^\|\s*threat\s*\|\s*who\s*\|\s*mitigation\s*\|\s*test\s*\|\s*$")
MIN_THREAT_ROWS = 60


def references(text: str) -> list[tuple[str, str]]:
    """(file, name) of every test the text names; `name` may be `Class::method`."""
    return REFERENCE.findall(text)


@cache
def defined_tests(path: Path) -> frozenset[str]:
    """Top-level functions and classes of a test module, and `Class::method` for methods."""
    names: set[str] = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, functions):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names.update(f"{node.name}::{m.name}" for m in node.body if isinstance(m, functions))
    return frozenset(names)


def missing(refs: list[tuple[str, str]], root: Path) -> list[str]:
    """The references whose file does not exist or does not define that test."""
    absent = []
    for file, name in refs:
        path = root / file
        if not path.is_file() or name not in defined_tests(path):
            absent.append(f"{file}::{name}")
    return absent


def threat_rows(text: str) -> list[str]:
    """The body rows of the table headed `| threat | who | mitigation | test |`."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if THREAT_HEADER.match(line)), None)
    assert start is not None, "docs/security.md has no threat | who | mitigation | test table"
    rows = []
    for line in lines[start + 2 :]:  # after the header and its separator
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def last_cell(row: str) -> str:
    return row.rstrip().rstrip("|").rsplit("|", 1)[-1]


def test_every_test_named_in_the_document_exists() -> None:
    refs = references(DOC.read_text(encoding="utf-8"))
    assert len(refs) >= MIN_THREAT_ROWS
    assert missing(refs, ROOT) == []


def test_every_name_is_a_test() -> None:
    for file, name in references(DOC.read_text(encoding="utf-8")):
        assert Path(file).name.startswith("test_"), file
        assert all(part.startswith(("test", "Test")) for part in name.split("::")), name


def test_the_threat_table_has_a_test_in_every_row() -> None:
    rows = threat_rows(DOC.read_text(encoding="utf-8"))
    assert len(rows) >= MIN_THREAT_ROWS
    assert [row for row in rows if len(row.split("|")) != 6] == []  # four cells each
    assert [row for row in rows if not references(last_cell(row))] == []


def test_a_reference_to_a_missing_test_or_file_is_reported(tmp_path: Path) -> None:
    module = tmp_path / "tests" / "test_sample.py"
    module.parent.mkdir()
    module.write_text(
        "def test_here():\n    pass\n\n\n"
        "class TestGroup:\n    def test_inside(self):\n        pass\n"
    )
    text = (
        "`tests/test_sample.py::test_here` `tests/test_sample.py::TestGroup::test_inside` "
        "`tests/test_sample.py::test_gone` `tests/test_sample.py::TestGroup::test_gone` "
        "`tests/test_other.py::test_here`"
    )
    assert missing(references(text), tmp_path) == [
        "tests/test_sample.py::test_gone",
        "tests/test_sample.py::TestGroup::test_gone",
        "tests/test_other.py::test_here",
    ]


def test_a_row_without_a_test_is_found() -> None:
    text = (
        "| threat | who | mitigation | test |\n|---|---|---|---|\n"
        "| forge | peer | signatures | `tests/a/test_b.py::test_c` |\n"
        "| replay | path | nonces | none yet |\n\nafter the table\n"
    )
    rows = threat_rows(text)
    assert len(rows) == 2
    assert [bool(references(last_cell(row))) for row in rows] == [True, False]
