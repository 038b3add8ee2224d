"""The end of a CI run: each stage's time, what each database ran, and the slowest 15 tests.

Reads the directory .ci/run filled: stages.tsv (stage, seconds) and one JUnit report per pytest
run, named after its database (sqlite*, postgres*); a test that ran over NATS carries the
property bus=nats (tests/conftest.py).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

DATABASES = {
    "sqlite": "SQLite, in-process bus (every test)",
    "postgres": "PostgreSQL 15 (store tests, and the bus tests over NATS)",
}
SLOWEST = 15


def outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return {"failure": "failed", "error": "failed"}.get(tag, tag)
    return "passed"


def on_nats(case: ET.Element) -> bool:
    return any(p.get("name") == "bus" and p.get("value") == "nats" for p in case.iter("property"))


def cases(reports: Path, prefix: str) -> list[ET.Element]:
    found: list[ET.Element] = []
    for report in sorted(reports.glob(f"{prefix}*.xml")):
        found.extend(ET.parse(report).iter("testcase"))  # noqa: S314
    return found


def main(reports: Path) -> None:
    print("== stages")
    for line in (reports / "stages.tsv").read_text("utf-8").splitlines():
        name, seconds = line.split("\t")
        print(f"  {int(seconds):>5} s  {name}")
    print("== test executions per database")
    timed: list[tuple[float, str, str]] = []
    for prefix, label in DATABASES.items():
        runs = cases(reports, prefix)
        counts = Counter(outcome(case) for case in runs)
        summary = ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "skipped"))
        print(f"  {len(runs):>5}  {label}: {summary}")
        over_nats = [case for case in runs if on_nats(case)]
        if over_nats:
            print(f"  {len(over_nats):>5}    of them over NATS JetStream (bus tests)")
        for case in runs:
            name = f"{case.get('classname', '')}::{case.get('name', '')}"
            timed.append((float(case.get("time", 0)), prefix, name))
    print(f"== slowest {SLOWEST} tests")
    for seconds, prefix, name in sorted(timed, reverse=True)[:SLOWEST]:
        print(f"  {seconds:7.2f} s  {prefix:<8} {name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
