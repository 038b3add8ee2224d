"""OCR confusions, repaired only where a check digit confirms the reading.

A reader confuses O and 0, I and 1, B and 8, S and 5, Z and 2 (and a few more), and reads the
filler `<` as K or X in runs of fillers. Letters in a field of digits (dates, check digits) are
always wrong: each becomes the digit it is confused with, and the repair stands only if the
check digit then holds. A K or X inside a run of fillers may become `<`, if exactly one such
change makes the check digit hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from csnet.mrz.digits import check_digit
from csnet.mrz.layouts import Kind

TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6",
            "B": "8"}  # fmt: skip
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
MAX_CHANGES = 1  # beyond the forced ones: with more, some reading would hold by chance
MAX_READINGS = 20_000  # why: bounds the work a hostile input can ask for


@dataclass(frozen=True)
class Cell:
    """One character of the zone: where it is, what it holds, and what it may be."""

    line: int
    column: int  # 0-based
    kind: Kind
    filler_run: bool = False  # inside a run of fillers, where K or X may be a misread `<`
    fixed: bool = False  # confirmed already by its own check digit: kept as it is


def readings(char: str, cell: Cell) -> list[str]:
    """The characters `char` may stand for in `cell`, the first one forced.

    In a field of digits a confused letter can only be its digit. In a field of letters and
    digits (document numbers, optional data) either may belong, and one check digit cannot
    tell which of several positions was misread: only a K or X inside a run of fillers is
    tried there."""
    if cell.fixed:
        return [char]
    if cell.kind in (Kind.NUMERIC, Kind.CHECK):
        if char.isdigit() or (char == "<" and cell.kind is Kind.CHECK):
            return [char]
        return [TO_DIGIT[char]] if char in TO_DIGIT else []
    if cell.filler_run and char in "KX":
        return [char, "<"]
    return [char]


def in_filler_run(row: list[str], column: int, start: int) -> bool:
    """After two fillers and before a filler (or the end of the line): a K or X there is more
    likely a misread `<` than a name's or a number's last letter."""
    before = "".join(row[max(start, column - 2) : column])
    after = row[column + 1] if column + 1 < len(row) else "<"
    return before == "<<" and after == "<"


@dataclass(frozen=True)
class Solved:
    text: str  # the covered characters then the check digit, as repaired
    ambiguous: bool  # several readings of as few changes hold: nothing repaired


def solve(chars: str, cells: Sequence[Cell], holds_with_filler: bool = False) -> Solved | None:
    """The reading of `chars` (covered characters, then the check digit) whose check digit
    holds with the fewest changes beyond the forced ones (letters in digit fields); None if
    none does within MAX_CHANGES, ambiguous if several do with as few."""
    options = [readings(c, cell) for c, cell in zip(chars, cells, strict=True)]
    if any(not o for o in options):
        return None
    base = [o[0] for o in options]
    choices = [(i, alt) for i, o in enumerate(options) for alt in o[1:]]
    for changes in range(MAX_CHANGES + 1):
        found = _holding(base, choices, changes, holds_with_filler)
        if found:
            return Solved(found[0], ambiguous=len(found) > 1)
    return None


def _holding(
    base: list[str], choices: list[tuple[int, str]], changes: int, holds_with_filler: bool
) -> list[str]:
    """Up to two readings with `changes` alternatives taken that make the check digit hold."""
    found: list[str] = []
    for tried, combo in enumerate(combinations(choices, changes)):
        if tried >= MAX_READINGS:
            break
        if len({i for i, _ in combo}) < changes:
            continue
        candidate = list(base)
        for index, alt in combo:
            candidate[index] = alt
        text = "".join(candidate)
        if _holds(text, holds_with_filler):
            found.append(text)
            if len(found) > 1:
                break
    return found


def _holds(text: str, holds_with_filler: bool) -> bool:
    covered, digit = text[:-1], text[-1]
    if digit == "<":
        return holds_with_filler and set(covered) <= {"<"}
    return check_digit(covered) == digit
