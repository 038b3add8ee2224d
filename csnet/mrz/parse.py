"""Read a machine-readable zone: structure, alphabet, check digits, repairs and field values.

`read(text)` never raises on bad input: what is wrong is in the result's errors, each naming
the field and its place. Pure: no I/O; `today` decides expiry and the century of dates.
"""

from __future__ import annotations

import re
from datetime import date

from csnet.mrz import checks, fields
from csnet.mrz import fast as fast_path
from csnet.mrz.digits import ALPHABET
from csnet.mrz.layouts import MRV_A, MRV_B, TD1, TD2, TD3, Check, Kind, Layout, Span
from csnet.mrz.overflow import number_overflow
from csnet.mrz.result import Finding, Reading, Repair
from csnet.mrz.zone import MAX_INPUT, fit, shapes, split_lines

_ZONE_LINE = re.compile(r"[A-Z0-9<]+")
_CONFUSED = re.compile(r"[012568]")  # digits read in a field of letters (repair.TO_LETTER)
_FILLER_KX = re.compile(r"<<[KX](?:<|$)")  # a misread filler in a name (repair.in_filler_run)


def read(text: str, today: date, *, fast: bool = True) -> Reading:
    """Everything an officer needs to know about one zone (see result.Reading)."""
    if len(text) > MAX_INPUT:
        return _shapeless([], f"an MRZ is at most 90 characters; got {len(text)}")
    if fast and (quick := fast_path.read(text, today)) is not None:
        return quick
    lines = split_lines(text)
    fitted = fit(lines)
    if fitted is None:
        counted = "+".join(str(len(line)) for line in lines) or "0"
        return _shapeless(lines, f"an MRZ is {shapes()}; got {counted} characters")
    zone, candidates = fitted
    layout = _layout(zone, candidates)
    reading = Reading(layout.name, list(zone))
    if fast and _clean(layout, zone, reading):
        fields.decode_fields(layout, reading, today)
        return reading
    grid = [list(line) for line in zone]
    _foreign(grid, reading)
    fields.repair_letters(layout, grid, reading)
    for check in _checks(layout, grid, reading):
        checks.run(layout, check, grid, reading)
    reading.lines = ["".join(row) for row in grid]
    fields.decode_fields(layout, reading, today)
    return reading


def _clean(layout: Layout, zone: list[str], reading: Reading) -> bool:
    """The fast path's gate: nothing to repair (alphabet, letter fields, fillers) and every
    check digit holding as read; anything else takes the full path, which gives the same
    reading for such a zone (tests/mrz/test_mrz_fast_path.py)."""
    if not all(_ZONE_LINE.fullmatch(line) for line in zone):
        return False
    for field in layout.fields:
        if field.kind is Kind.ALPHA:
            value = field.span.of(zone)
            if _CONFUSED.search(value) or (field.name == "names" and _FILLER_KX.search(value)):
                return False
    grid = [list(line) for line in zone]
    scratch = Reading(None, [])  # why: the overflow's warning counts only if the gate passes
    if not all(checks.holds(check, grid) for check in _checks(layout, grid, scratch)):
        return False
    reading.warnings.extend(scratch.warnings)
    return True


def plain_read(text: str, today: date) -> Reading:
    """The full path for every zone, without the fast path's gate: the differential reference."""
    return read(text, today, fast=False)


def _shapeless(lines: list[str], why: str) -> Reading:
    reading = Reading(None, lines)
    reading.errors.append(Finding("structure", why))
    return reading


def _layout(zone: list[str], candidates: list[Layout]) -> Layout:
    """TD3 and MRV-A (and TD2 and MRV-B) share a shape: a visa's document code starts with V."""
    visa = zone[0].startswith("V")
    for layout in candidates:
        if layout in (MRV_A, MRV_B) and visa:
            return layout
        if layout in (TD1, TD2, TD3) and not (visa and len(candidates) > 1):
            return layout
    return candidates[0]


def _foreign(grid: list[list[str]], reading: Reading) -> None:
    """Characters outside A–Z, 0–9 and `<` are errors where they stand (check digits fail too)."""
    for line, row in enumerate(grid):
        for column, char in enumerate(row):
            if char not in ALPHABET:
                reading.errors.append(
                    Finding(
                        "charset",
                        f"character {char!r} is not in the MRZ alphabet",
                        line + 1,
                        column + 1,
                        column + 1,
                    )
                )


def _checks(layout: Layout, grid: list[list[str]], reading: Reading) -> list[Check]:
    """The layout's checks, the document number's moved to its overflow where it has one:
    in TD1 and TD2 a number longer than 9 characters goes on in the optional data, with `<`
    where its check digit would be and the check digit after its last character (Doc 9303
    Part 5, note j). The digit is over the whole number; some issuers (Belgian identity
    cards among them) count the filler in: accepted, with a warning."""
    overflow = number_overflow(layout, grid)
    if overflow is None:
        return list(layout.checks)
    number, rest = overflow.covers
    with_filler = Check(overflow.name, (Span(number.line, number.start, rest.end),), overflow.digit)
    if not checks.holds(overflow, grid) and checks.holds(with_filler, grid):
        reading.warnings.append(
            Finding(
                "document_number",
                "document number check digit counts the filler after "
                "the first 9 characters, as some issuers do",
                number.line + 1,
                number.start + 1,
                rest.end + 1,
            )
        )
        overflow = with_filler
    return [overflow if c.name == "document_number" else c for c in layout.checks]


__all__ = ["Reading", "Repair", "plain_read", "read"]
