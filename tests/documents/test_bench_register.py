"""The generator of benchmarks/bench_register.py: distinct documents, each canonical, so the
benchmark looks up what a check would."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from csnet.indicators import registry

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))  # why: the script imports its neighbour `common`
    try:
        return importlib.import_module("bench_register")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_documents_are_canonical_and_distinct(bench: ModuleType) -> None:
    numbers = [*range(0, 20_000), *range(9_990_000, 10_010_000), 19_999_999, 259_999_999]
    values = [bench.document(n) for n in numbers]
    assert len(set(values)) == len(values)
    for value in values[::97]:
        assert registry.parse("document", value).value == value
