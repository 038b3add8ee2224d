"""Each check digit of a zone, repaired where it confirms one reading (see repair.py)."""

from __future__ import annotations

from csnet.mrz.digits import check_digit
from csnet.mrz.layouts import LAYOUTS, Check, Kind, Layout
from csnet.mrz.repair import Cell, in_filler_run, solve
from csnet.mrz.result import Finding, Reading, Repair

LABELS = {
    "document_number": "document number",
    "birth_date": "birth date",
    "expiry_date": "expiry",
    "personal_number": "personal number",
    "composite": "composite",
}


def _guarded_cells(layout: Layout) -> frozenset[tuple[int, int]]:
    """Cells confirmed by a check digit of their own field: the composite leaves them alone."""
    cells: set[tuple[int, int]] = set()
    for check in layout.checks:
        if check.name != "composite":
            for span in (*check.covers, check.digit):
                cells.update((span.line, c) for c in range(span.start, span.end))
    return frozenset(cells)


def _kinds_of(layout: Layout) -> dict[tuple[int, int], Kind]:
    """The kind of every cell that belongs to a field; check digits are the rest."""
    return {
        (field.span.line, column): field.kind
        for field in layout.fields
        for column in range(field.span.start, field.span.end)
    }


# why: built once; hashing a layout per character cost more than the reading itself
_GUARDED = {layout.name: _guarded_cells(layout) for layout in LAYOUTS}
_KINDS = {layout.name: _kinds_of(layout) for layout in LAYOUTS}


def _kind_at(layout: Layout, line: int, column: int) -> Kind:
    return _KINDS[layout.name].get((line, column), Kind.CHECK)


def cells_of(layout: Layout, check: Check, grid: list[list[str]]) -> list[Cell]:
    fixed = _GUARDED[layout.name] if check.name == "composite" else frozenset()
    cells = []
    for span in check.covers:
        row = grid[span.line]
        for column in range(span.start, span.end):
            beside = in_filler_run(row, column, span.start)
            kind = _kind_at(layout, span.line, column)
            cells.append(Cell(span.line, column, kind, beside, (span.line, column) in fixed))
    cells.append(Cell(check.digit.line, check.digit.start, Kind.CHECK))
    return cells


def _chars(check: Check, grid: list[list[str]]) -> str:
    covered = "".join("".join(grid[s.line][s.start : s.end]) for s in check.covers)
    return covered + grid[check.digit.line][check.digit.start]


def _misplaced(layout: Layout, check: Check, grid: list[list[str]]) -> list[int]:
    """1-based columns of letters where only digits belong, for the error message."""
    kinds = _KINDS[layout.name]
    return [
        column + 1
        for span in check.covers
        for column in range(span.start, span.end)
        if kinds.get((span.line, column), Kind.CHECK) is Kind.NUMERIC
        and not grid[span.line][column].isdigit()
    ]


def _repairable(layout: Layout, check: Check, grid: list[list[str]]) -> bool:
    """Could any reading differ from what was read? Only with a letter where digits belong
    (forced), or a K or X (a filler, maybe): without one, the check fails as read."""
    kinds = _KINDS[layout.name]
    for span in (*check.covers, check.digit):
        row = grid[span.line]
        for column in range(span.start, span.end):
            char = row[column]
            if char in "KX":
                return True
            digits_only = kinds.get((span.line, column), Kind.CHECK) in (Kind.NUMERIC, Kind.CHECK)
            if digits_only and not char.isdigit() and char != "<":
                return True
    return False


def run(layout: Layout, check: Check, grid: list[list[str]], reading: Reading) -> bool:
    """Whether `check` holds, repairing the grid where exactly one reading makes it hold."""
    if holds(check, grid):
        return True  # why: the common case, without building a reading per character
    if not _repairable(layout, check, grid):
        reading.errors.append(_failed(check, _chars(check, grid), _misplaced(layout, check, grid)))
        return False
    cells = cells_of(layout, check, grid)
    chars = "".join(grid[c.line][c.column] for c in cells)
    solved = solve(chars, cells, holds_with_filler=check.name != "composite")
    if solved is None or solved.ambiguous:
        misplaced = [
            c.column + 1
            for c, char in zip(cells[:-1], chars, strict=False)
            if c.kind is Kind.NUMERIC and not char.isdigit()
        ]
        reading.errors.append(_failed(check, chars, misplaced))
        return False
    for cell, found, used in zip(cells, chars, solved.text, strict=True):
        if found != used:
            grid[cell.line][cell.column] = used
            reading.repairs.append(
                Repair(
                    _field_at(layout, cell), cell.line + 1, cell.column + 1, found, used, check.name
                )
            )
    return True


def _field_at(layout: Layout, cell: Cell) -> str:
    for check in layout.checks:
        if (check.digit.line, check.digit.start) == (cell.line, cell.column):
            return f"{check.name}_check_digit"
    for field in layout.fields:
        span = field.span
        if span.line == cell.line and span.start <= cell.column < span.end:
            return field.name
    return "zone"


def holds(check: Check, grid: list[list[str]]) -> bool:
    """Whether the check digit holds on the zone as it stands, without any repair."""
    covered = "".join("".join(grid[s.line][s.start : s.end]) for s in check.covers)
    digit = grid[check.digit.line][check.digit.start]
    if digit == "<":  # why: an empty optional field may have `<` for its digit, never the composite
        return check.name != "composite" and not covered.strip("<")
    return check_digit(covered) == digit


def _failed(check: Check, chars: str, letters: list[int]) -> Finding:
    digit = check.digit
    label = LABELS.get(check.name, check.name)
    expected = check_digit(chars[:-1])
    if letters:
        message = f"{label}: not a digit at column {letters[0]}, and no reading holds"
    elif expected is None:
        message = f"{label}: characters outside the MRZ alphabet"
    else:
        message = f"{label} check digit: expected {expected}, found {chars[-1]}"
    return Finding(check.name, message, digit.line + 1, digit.start + 1, digit.end)
