"""The document register's exact look-up at N documents: p50 and p99 of one look-up on the
unique index (`register.held`, what a check reads) and of the audited look-up
(`register.lookup`, the read and its consultation entry in one transaction), on SQLite.

The register is filled through the CSV import's chunks (`register.add_chunk`, 1,000 rows and one
audit entry each) up to --n; look-ups ask documents in the register and documents not in it,
half each, in a random order. Prints readable lines and, as its last line, one JSON object.
Usage: python benchmarks/bench_register.py [--n 10000000] [--lookups 20000] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from common import machine, record

from csnet.documents import register
from csnet.documents.entries import NewEntry
from csnet.node import Node, init_node

STATES = ("PAK", "GRC", "ITA", "TUR", "AFG", "IRQ", "SYR", "LBY")


def document(number: int) -> str:
    """Distinct canonical documents: a state, P, two letters and seven digits."""
    letters = chr(65 + number // 10_000_000 % 26) + chr(65 + number // 260_000_000 % 26)
    return f"{STATES[number % len(STATES)]}:P:{letters}{number % 10_000_000:07d}"


def fill(node: Node, n: int) -> float:
    start = time.perf_counter()
    chunk = 1_000
    for first in range(0, n, chunk):
        rows = [
            (line, NewEntry(document(line), "stolen", date(2026, 11, 30), "bench", ""))
            for line in range(first, min(n, first + chunk))
        ]
        register.add_chunk(node, "host:bench", rows)
        if first % 1_000_000 == 0 and first:
            print(f"  {first:,} documents stored", flush=True)
    return time.perf_counter() - start


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": round(at(0.5), 4), "p99_ms": round(at(0.99), 4)}


def lookups(node: Node, n: int, count: int) -> tuple[dict[str, float], dict[str, float]]:
    asked = [document(random.randrange(n)) for _ in range(count // 2)]
    asked += [document(n + random.randrange(n)) for _ in range(count - len(asked))]
    random.shuffle(asked)
    bare: list[float] = []
    with node.store.read() as conn:
        for value in asked:
            start = time.perf_counter()
            register.held(conn, [value])
            bare.append(time.perf_counter() - start)
    audited: list[float] = []
    for value in asked[: max(1, count // 10)]:
        start = time.perf_counter()
        register.lookup(node, "host:bench", value, "benchmark")
        audited.append(time.perf_counter() - start)
    return percentiles(bare), percentiles(audited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as directory:
        node = init_node(Path(directory), name="BENCH", country="PK", agency="bench")
        try:
            seconds = fill(node, args.n)
            print(f"filled {args.n:,} documents in {seconds:.1f} s", flush=True)
            bare, audited = lookups(node, args.n, args.lookups)
        finally:
            node.close()
    figures = {
        "n": args.n,
        "fill_per_s": round(args.n / seconds),
        "lookup": bare,
        "lookup_audited": audited,
        "load_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "machine": machine(),
    }
    print(f"look-up p50 {bare['p50_ms']} ms, p99 {bare['p99_ms']} ms; audited p99 "
          f"{audited['p99_ms']} ms")  # fmt: skip
    if args.record:
        record("bench_register.py", figures["machine"], sorted(figures.items()))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
