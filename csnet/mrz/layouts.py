"""Where each field sits in the five machine-readable zones of ICAO Doc 9303.

Positions are 0-based (line, start, end) slices; reports turn them into 1-based columns.
TD1: 3 lines of 30 (identity cards); TD2: 2 of 36; TD3: 2 of 44 (passports); MRV-A: 2 of 44 and
MRV-B: 2 of 36 (visas, without a composite check digit).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a field may hold, which decides the OCR confusions worth trying in it."""

    ALPHA = "alpha"  # letters and fillers: codes and names
    NUMERIC = "numeric"  # digits: dates and check digits
    ALNUM = "alnum"  # letters, digits and fillers: numbers and optional data
    SEX = "sex"
    CHECK = "check"  # a check digit: a digit, or `<` over a field of fillers only


@dataclass(frozen=True)
class Span:
    line: int
    start: int
    end: int

    def of(self, lines: list[str]) -> str:
        return lines[self.line][self.start : self.end]


@dataclass(frozen=True)
class Field:
    name: str
    span: Span
    kind: Kind


@dataclass(frozen=True)
class Check:
    """A check digit at `digit` over the concatenation of `covers`."""

    name: str  # the field it guards, or "composite"
    covers: tuple[Span, ...]
    digit: Span


@dataclass(frozen=True)
class Layout:
    name: str
    lines: int
    width: int
    fields: tuple[Field, ...]
    checks: tuple[Check, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _two_line(name: str, width: int, optional: str, composite: bool) -> Layout:
    """TD2, TD3, MRV-A and MRV-B share their first 28 characters of line 2."""
    opt_end = width - 1 if composite else width
    opt_kind = Kind.ALNUM
    fields = (
        Field("document_code", Span(0, 0, 2), Kind.ALPHA),
        Field("issuing_state", Span(0, 2, 5), Kind.ALPHA),
        Field("names", Span(0, 5, width), Kind.ALPHA),
        Field("document_number", Span(1, 0, 9), Kind.ALNUM),
        Field("nationality", Span(1, 10, 13), Kind.ALPHA),
        Field("birth_date", Span(1, 13, 19), Kind.NUMERIC),
        Field("sex", Span(1, 20, 21), Kind.SEX),
        Field("expiry_date", Span(1, 21, 27), Kind.NUMERIC),
        Field(optional, Span(1, 28, 42 if optional == "personal_number" else opt_end), opt_kind),
    )
    checks = [
        Check("document_number", (Span(1, 0, 9),), Span(1, 9, 10)),
        Check("birth_date", (Span(1, 13, 19),), Span(1, 19, 20)),
        Check("expiry_date", (Span(1, 21, 27),), Span(1, 27, 28)),
    ]
    if optional == "personal_number":
        checks.append(Check("personal_number", (Span(1, 28, 42),), Span(1, 42, 43)))
    if composite:
        covers = (Span(1, 0, 10), Span(1, 13, 20), Span(1, 21, width - 1))
        checks.append(Check("composite", covers, Span(1, width - 1, width)))
    return Layout(name, 2, width, fields, tuple(checks))


TD3 = _two_line("TD3", 44, "personal_number", composite=True)
MRV_A = _two_line("MRV-A", 44, "optional_data", composite=False)
TD2 = _two_line("TD2", 36, "optional_data", composite=True)
MRV_B = _two_line("MRV-B", 36, "optional_data", composite=False)
TD1 = Layout(
    "TD1",
    3,
    30,
    (
        Field("document_code", Span(0, 0, 2), Kind.ALPHA),
        Field("issuing_state", Span(0, 2, 5), Kind.ALPHA),
        Field("document_number", Span(0, 5, 14), Kind.ALNUM),
        Field("optional_data", Span(0, 15, 30), Kind.ALNUM),
        Field("birth_date", Span(1, 0, 6), Kind.NUMERIC),
        Field("sex", Span(1, 7, 8), Kind.SEX),
        Field("expiry_date", Span(1, 8, 14), Kind.NUMERIC),
        Field("nationality", Span(1, 15, 18), Kind.ALPHA),
        Field("optional_data_2", Span(1, 18, 29), Kind.ALNUM),
        Field("names", Span(2, 0, 30), Kind.ALPHA),
    ),
    (
        Check("document_number", (Span(0, 5, 14),), Span(0, 14, 15)),
        Check("birth_date", (Span(1, 0, 6),), Span(1, 6, 7)),
        Check("expiry_date", (Span(1, 8, 14),), Span(1, 14, 15)),
        Check(
            "composite",
            (Span(0, 5, 30), Span(1, 0, 7), Span(1, 8, 15), Span(1, 18, 29)),
            Span(1, 29, 30),
        ),
    ),
)
LAYOUTS = (TD1, TD2, TD3, MRV_A, MRV_B)


def layouts_for(lines: int, width: int) -> list[Layout]:
    return [layout for layout in LAYOUTS if (layout.lines, layout.width) == (lines, width)]
