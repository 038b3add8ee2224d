"""The generator of benchmarks/bench_correlation.py: its values are what the registry stores,
distinct per value number, and its items have the repeat rates the benchmark claims."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))  # why: the script imports its neighbour `common`
    try:
        return importlib.import_module("indicator_workload")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_every_type_of_the_mix_is_generated_valid_and_canonical(bench: ModuleType) -> None:
    for kind in bench.MIX:
        for number in (0, 1, 7, 12_345, 999_999, 3_000_001, 12_000_000, 99_999_999):
            value = kind.make(number)
            assert bench.check_canonical_value(kind.type, value) is None, (kind.type, value)


def test_sampled_values_parse_to_themselves(bench: ModuleType) -> None:
    numbers = [*range(0, 3000), *range(10_000_000, 11_000_000, 997)]
    assert bench.check_canonical(numbers) == []


def test_value_numbers_give_distinct_values(bench: ModuleType) -> None:
    values = [bench.value_of(n) for n in range(200_000)]
    assert len(set(values)) == len(values)
    shares = Counter(kind for kind, _ in values)
    assert 0.37 < shares["phone"] / len(values) < 0.43  # the mix: phones about 40%
    assert set(shares) == {kind.type for kind in bench.MIX}


def test_workload_counts_and_repeats(bench: ModuleType) -> None:
    work = bench.Workload(60_000)
    items = list(work.items())
    occurrences = Counter(n for numbers in items for n in numbers)
    assert sum(occurrences.values()) == 60_000
    assert all(len(set(numbers)) == len(numbers) for numbers in items)
    assert 1 <= min(len(numbers) for numbers in items) <= max(len(n) for n in items) <= 8
    once = sum(1 for c in occurrences.values() if c == 1)
    assert once / len(occurrences) > 0.8  # most values appear once
    assert max(occurrences.values()) > 50  # a few recur past the noisy cap
    assert work.pairs() == sum(c * (c - 1) // 2 for c in occurrences.values())
    assert work.pairs(50) < work.pairs()
