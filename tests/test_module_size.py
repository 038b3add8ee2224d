"""Small modules: none of csnet's is over 500 lines."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "csnet"


def test_no_module_over_500_lines() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text("utf-8").count("\n")
        assert lines <= 500, f"{path.relative_to(PACKAGE)} has {lines} lines"
