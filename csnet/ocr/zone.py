"""From what tesseract read to the machine-readable zone in it.

The MRZ model reads everything as A–Z, 0–9 and `<`, so the printed text of a page comes out as
noise; the zone is two or three consecutive lines of a zone's width (30, 36 or 44), give or take
a character the reader dropped or added, with fillers. Each run of such lines is read by
csnet.mrz; the best reading wins: valid first, then the fewest errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from csnet import mrz

WIDTHS = (30, 36, 44)
_NOT_MRZ = re.compile(r"[^A-Z0-9<]")
MIN_FILLERS = 2


def lines_of(text: str) -> list[str]:
    """Lines that could belong to a zone, spaces dropped, in reading order."""
    found = []
    for raw in text.upper().splitlines():
        line = _NOT_MRZ.sub("", raw.replace(" ", ""))
        if any(abs(len(line) - w) <= 2 for w in WIDTHS) and line.count("<") >= 1:
            found.append(line)
    return found


def _fitted(line: str, width: int) -> str:
    """A line a character short or long mended at its end, where fillers usually are."""
    if len(line) < width:
        return line + "<" * (width - len(line))
    return line[:width]


def candidates(lines: list[str]) -> Iterator[list[str]]:
    for count in (2, 3):
        for start in range(len(lines) - count + 1):
            run = lines[start : start + count]
            width = round(sum(len(line) for line in run) / count)
            near = min(WIDTHS, key=lambda w: abs(w - width))
            if count == 3 and near != 30:
                continue
            yield [_fitted(line, near) for line in run]


def best_run(text: str, today: date) -> tuple[mrz.Reading, str] | None:
    """The best reading of a zone in `text` with the zone as read (before any repair)."""
    best: tuple[mrz.Reading, str] | None = None
    for run in candidates(lines_of(text)):
        if sum(line.count("<") for line in run) < MIN_FILLERS:
            continue
        zone_text = "\n".join(run)
        reading = mrz.read(zone_text, today)
        if reading.format is not None and (best is None or rank(reading) < rank(best[0])):
            best = (reading, zone_text)
    return best


def rank(reading: mrz.Reading) -> tuple[int, int, int]:
    return (0 if reading.valid else 1, len(reading.errors), len(reading.repairs))
