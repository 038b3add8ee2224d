"""Field values of a zone: names, dates with their century, sex, codes and numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SEXES = {"F": "female", "M": "male", "X": "unspecified", "<": "unspecified"}


@dataclass(frozen=True)
class Names:
    primary: str  # surname(s)
    secondary: str  # given names, space-separated
    truncated: bool  # the field is full: the issuer may have cut the name short


def names(field: str) -> Names:
    """`ERIKSSON<<ANNA<MARIA<<<` gives ERIKSSON / ANNA MARIA (Doc 9303 Part 3, 4.6)."""
    primary, _, secondary = field.partition("<<")
    return Names(
        " ".join(p for p in primary.split("<") if p),
        " ".join(p for p in secondary.split("<") if p),
        truncated=not field.endswith("<"),
    )


def text(field: str) -> str:
    """A number or optional data without its fillers (inner fillers become spaces)."""
    return " ".join(p for p in field.split("<") if p)


def yymmdd(field: str) -> tuple[int, int, int] | None:
    if len(field) != 6 or not field.isdigit():
        return None
    return int(field[:2]), int(field[2:4]), int(field[4:])


def birth_date(field: str, today: date) -> date | None:
    """A birth date is in the past: the latest century that keeps it there."""
    parts = yymmdd(field)
    if parts is None:
        return None
    yy, mm, dd = parts
    for century in (2000, 1900):
        found = _date(century + yy, mm, dd)
        if found is None:
            return None
        if found <= today:
            return found
    return _date(1900 + yy, mm, dd)


def expiry_date(field: str, today: date) -> date | None:
    """An expiry is usually ahead, and never more than 50 years ahead of today."""
    parts = yymmdd(field)
    if parts is None:
        return None
    yy, mm, dd = parts
    century = 2000 if 2000 + yy <= today.year + 50 else 1900
    return _date(century + yy, mm, dd)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
