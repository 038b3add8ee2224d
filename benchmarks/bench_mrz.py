"""Machine-readable zones: validation throughput against the `mrz` package, and reading photos.

1. Validation: the vectors of tests/mrz/vectors (TD1, TD2, TD3, MRV-A; valid and invalid),
   repeated to `--n` zones, through `csnet.mrz.read`, and through the `mrz` package from PyPI
   (GPLv3: a benchmark-only reference, never imported by csnet; install it apart, e.g.
   `pip install --target DIR mrz==0.6.2`, and pass `--reference-path DIR`) in the same run.
   The key: ratio_to_reference = csnet zones/s ÷ reference zones/s (target >= 5). Verdicts are
   compared per vector: csnet's "valid without repairs" against the reference's bool.
2. Line images (`--lines-dir`, default shared/data/vectors/mrz_ocr_lines next to the
   repository): each read by tesseract with the shipped model as one line; exact-line rate and
   character accuracy (1 - edit distance / characters), raw and after check-digit repair (a
   line that carries check digits is read as its place in a zone, with filler lines around it,
   and kept as repaired only if its own check digits then hold).
3. Photos: pages rendered in OCR-B (tests/ocr/pages.py), image to verdict, p50 and p95.

Prints a few readable lines and, as its last line, one JSON object.
Usage: python benchmarks/bench_mrz.py [--n 1000000] [--reference-path DIR] [--lines-dir DIR]
       [--pages 20] [--skip-ocr] [--record]
"""

from __future__ import annotations

import argparse
import difflib
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from common import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from csnet import mrz  # noqa: E402

VECTORS = ROOT / "tests" / "mrz" / "vectors" / "mrz_vectors.json"
LINES_DIR = ROOT.parent / "shared" / "data" / "vectors" / "mrz_ocr_lines"
TODAY = date(2026, 12, 8)


def vectors() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(VECTORS.read_text("utf-8"))
    return [v for v in found if v["format"] is not None]


def reference_checkers(path: Path | None) -> dict[str, Callable[[str], Any]] | None:
    if path is not None:
        sys.path.insert(0, str(path))
    try:
        from mrz.checker.mrva import MRVACodeChecker  # type: ignore[import-not-found]
        from mrz.checker.td1 import TD1CodeChecker  # type: ignore[import-not-found]
        from mrz.checker.td2 import TD2CodeChecker  # type: ignore[import-not-found]
        from mrz.checker.td3 import TD3CodeChecker  # type: ignore[import-not-found]
    except ImportError:
        return None
    return {"TD1": TD1CodeChecker, "TD2": TD2CodeChecker, "TD3": TD3CodeChecker,
            "MRVA": MRVACodeChecker}  # fmt: skip


def _rate(work: Callable[[str], Any], texts: list[str], n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        work(texts[i % len(texts)])
    return n / (time.perf_counter() - started)


def bench_validation(n: int, reference_path: Path | None) -> dict[str, Any]:
    cases = vectors()
    texts = ["\n".join(v["lines"]) for v in cases]
    ours = _rate(lambda text: mrz.read(text, TODAY), texts, n)
    result: dict[str, Any] = {"zones": n, "csnet_per_s": round(ours, 1)}
    checkers = reference_checkers(reference_path)
    if checkers is None:
        print("  reference `mrz` package not found: pass --reference-path")
        return result
    by_text = dict(zip(texts, (checkers[v["format"]] for v in cases), strict=True))
    theirs = _rate(lambda text: by_text[text](text), texts, n)
    result |= {"reference_per_s": round(theirs, 1), "ratio_to_reference": round(ours / theirs, 2)}
    result["disagreements"] = _disagreements(cases, checkers)
    return result


def _disagreements(cases: list[dict[str, Any]], checkers: dict[str, Any]) -> list[str]:
    found = []
    for case in cases:
        text = "\n".join(case["lines"])
        reading = mrz.read(text, TODAY)
        ours = reading.valid and not reading.repairs
        theirs = bool(checkers[case["format"]](text))
        if ours != theirs:
            found.append(f"{case['id']}: csnet {ours}, mrz {theirs}")
    return found


def _errors(truth: str, got: str) -> int:
    matcher = difflib.SequenceMatcher(None, truth, got)
    return sum(
        max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    )


def repaired_line(line: str) -> str:
    """The line as the check digits repair it, where it carries any (see the docstring)."""
    width = len(line)
    filler = "<" * width
    placings = {30: [(0, 3), (1, 3)], 36: [(1, 2)], 44: [(1, 2)]}.get(width, [])
    for index, count in placings:
        lines = [filler] * count
        lines[index] = line
        if count == 2:
            lines[0] = ("P<UTO" if width == 44 else "I<UTO").ljust(width, "<")
        reading = mrz.read("\n".join(lines), TODAY)
        own = [e for e in reading.errors if e.line == index + 1 and e.field != "composite"]
        repairs = [r for r in reading.repairs if r.line == index + 1]
        confirmed = all(r.confirmed_by is not None for r in repairs)  # a check digit's, only
        if reading.format is not None and not own and repairs and confirmed:
            return reading.lines[index]
    return line


def bench_lines(folder: Path) -> dict[str, Any]:
    from csnet.ocr import read_line

    truths = sorted(folder.glob("*.gt.txt"))
    exact = exact_repaired = errors = errors_repaired = chars = 0
    seconds: list[float] = []
    for truth_file in truths:
        truth = truth_file.read_text("utf-8").strip()
        started = time.perf_counter()
        got = read_line(truth_file.with_name(truth_file.name.replace(".gt.txt", ".tif")))
        seconds.append(time.perf_counter() - started)
        got = got.replace(" ", "")
        fixed = repaired_line(got)
        exact += got == truth
        exact_repaired += fixed == truth
        errors += _errors(truth, got)
        errors_repaired += _errors(truth, fixed)
        chars += len(truth)
    count = len(truths)
    return {
        "lines": count,
        "exact_line_rate": round(exact / count, 4),
        "exact_line_rate_repaired": round(exact_repaired / count, 4),
        "char_accuracy": round(1 - errors / chars, 5),
        "char_accuracy_repaired": round(1 - errors_repaired / chars, 5),
        "line_p50_ms": round(statistics.median(seconds) * 1000, 1),
    }


def bench_pages(count: int) -> dict[str, Any]:
    from csnet.ocr import read_photo
    from tests.ocr.pages import page

    zones = [v["lines"] for v in vectors() if v["valid"] and v["format"] in ("TD1", "TD3")]
    seconds, valid = [], 0
    for i in range(count):
        lines = zones[i % len(zones)]
        data = page(lines)
        started = time.perf_counter()
        found = read_photo(data, TODAY)
        seconds.append(time.perf_counter() - started)
        valid += found.reading is not None and found.reading.lines == lines
    ordered = sorted(seconds)
    return {
        "pages": count,
        "read_exactly": valid,
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
    }


def main() -> None:
    args = parse_args()
    print(f"MRZ benchmark on {machine()}")
    figures: dict[str, Any] = {"machine": machine()}
    figures["validation"] = bench_validation(args.n, args.reference_path)
    print(f"  validation: {figures['validation']}")
    if not args.skip_ocr:
        figures["lines"] = bench_lines(args.lines_dir)
        print(f"  line images: {figures['lines']}")
        figures["pages"] = bench_pages(args.pages)
        print(f"  rendered pages: {figures['pages']}")
    if args.record:
        flat = [(f"{k}.{n}", v) for k, group in figures.items() if isinstance(group, dict)
                for n, v in group.items()]  # fmt: skip
        record("bench_mrz.py", figures["machine"], flat)
    print(json.dumps(figures))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="zones validated by each side")
    parser.add_argument("--reference-path", type=Path, default=None)
    parser.add_argument("--lines-dir", type=Path, default=LINES_DIR)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--skip-ocr", action="store_true")
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    return parser.parse_args()


if __name__ == "__main__":
    main()
