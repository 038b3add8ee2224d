"""The fast path of `mrz.read` for the common zone: typed or scanned cleanly, nothing to repair,
known codes, real dates, every check digit holding.

It answers only when it is sure it gives what the full path would (tests/mrz/test_mrz_fast_path.py
compares both on every vector and on corrupted zones); anything else (a repair, an error, a long
document number, a cut name, an unusual code) returns None and the full path reads the zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from csnet.mrz import decode
from csnet.mrz.digits import check_digit
from csnet.mrz.fields import CODES, TYPES
from csnet.mrz.layouts import LAYOUTS, MRV_A, MRV_B, TD1, TD2, Layout
from csnet.mrz.result import Finding, Reading
from csnet.mrz.states import state_name

_CLEAN = re.compile(r"[A-Z0-9<]+")
_SIMPLE_INPUT = re.compile(r"[A-Z0-9<\r\n]+")
_DIGIT_IN_LETTERS = re.compile(r"[012568]")
_FILLER_KX = re.compile(r"<<[KX](?:<|$)")


@dataclass(frozen=True)
class _Plan:
    """A layout's fields and checks as plain offsets into the joined zone (no line breaks)."""

    layout: Layout
    fields: dict[str, tuple[int, int]]
    checks: tuple[tuple[tuple[tuple[int, int], ...], int], ...]
    nationality_at: tuple[int, int, int]
    expiry_at: tuple[int, int, int]


def _plan(layout: Layout) -> _Plan:
    width = layout.width

    def at(line: int, start: int, end: int) -> tuple[int, int]:
        return line * width + start, line * width + end

    fields = {f.name: at(f.span.line, f.span.start, f.span.end) for f in layout.fields}
    checks = tuple(
        (tuple(at(s.line, s.start, s.end) for s in c.covers), at(c.digit.line, c.digit.start, 0)[0])
        for c in layout.checks
    )
    nat, exp = layout.field("nationality").span, layout.field("expiry_date").span
    return _Plan(
        layout,
        fields,
        checks,
        (nat.line + 1, nat.start + 1, nat.end),
        (exp.line + 1, exp.start + 1, exp.end),
    )


_PLANS = {layout.name: _plan(layout) for layout in LAYOUTS}


def read(text: str, today: date) -> Reading | None:
    """The reading of a clean zone, or None for the full path."""
    if not _SIMPLE_INPUT.fullmatch(text := text.strip()):
        return None
    lines = text.split()
    plan = _which(lines)
    if plan is None:
        return None
    joined = "".join(lines)
    if not _CLEAN.fullmatch(joined) or not _checks_hold(plan, joined):
        return None
    return _decoded(plan, lines, joined, today)


def _which(lines: list[str]) -> _Plan | None:
    count, width = len(lines), len(lines[0]) if lines else 0
    if any(len(line) != width for line in lines):
        return None
    if (count, width) == (3, 30):
        return _PLANS[TD1.name]
    if count != 2 or width not in (36, 44):
        return None
    visa = lines[0][0] == "V"
    if width == 36:
        return _PLANS[MRV_B.name if visa else TD2.name]
    return _PLANS[MRV_A.name if visa else "TD3"]


def _checks_hold(plan: _Plan, joined: str) -> bool:
    for covers, digit in plan.checks:
        covered = "".join(joined[a:b] for a, b in covers)
        found = joined[digit]
        if found == "<":
            # why: an empty personal number may have `<` for its digit (never the composite)
            if len(covers) > 1 or covered.strip("<"):
                return False
        elif check_digit(covered) != found:
            return False
    if plan.layout in (TD1, TD2):
        number_end = plan.fields["document_number"][1]
        if joined[number_end] == "<":
            return False  # a long document number: the full path reads its overflow
    return True


def _decoded(plan: _Plan, lines: list[str], joined: str, today: date) -> Reading | None:
    raw = {name: joined[a:b] for name, (a, b) in plan.fields.items()}
    code, state, nationality = raw["document_code"], raw["issuing_state"], raw["nationality"]
    names = raw["names"]
    if (
        _DIGIT_IN_LETTERS.search(code[:1] + state + nationality + names)
        or _FILLER_KX.search(names)
        or not names.endswith("<")
        or raw["sex"] not in decode.SEXES
    ):
        return None
    fields = _field_values(plan, raw, joined, today)
    if fields is None:
        return None
    return _reading(plan, lines, fields, today)


def _field_values(
    plan: _Plan, raw: dict[str, str], joined: str, today: date
) -> dict[str, Any] | None:
    code = raw["document_code"].rstrip("<") or raw["document_code"]
    state, nationality = raw["issuing_state"].rstrip("<"), raw["nationality"].rstrip("<")
    state_label, nationality_label = state_name(state), state_name(nationality)
    birth = decode.birth_date(raw["birth_date"], today)
    expiry = decode.expiry_date(raw["expiry_date"], today)
    if (
        code[:1] not in CODES[plan.layout.name]
        or state_label is None
        or nationality_label is None
        or "DEU" in (state, nationality)
        or birth is None
        or expiry is None
        or expiry <= birth
    ):
        return None
    parsed = decode.names(raw["names"])
    if not parsed.primary:  # why: no name, or given names only: the full path says so
        return None
    fields: dict[str, Any] = {
        name: decode.text(raw[name])
        for name in ("optional_data", "optional_data_2", "personal_number")
        if name in raw
    }
    number_end = plan.fields["document_number"][1]
    fields |= {
        "document_code": code,
        "document_type": TYPES.get(code[:1]),
        "issuing_state": state,
        "issuing_state_name": state_label,
        "nationality": nationality,
        "nationality_name": nationality_label,
        "document_number": raw["document_number"].replace("<", ""),
        "document_number_check_digit": joined[number_end],
        "names": {"primary": parsed.primary, "secondary": parsed.secondary},
        "surname": parsed.primary,
        "given_names": parsed.secondary,
        "sex": raw["sex"],
        "birth_date": birth.isoformat(),
        "expiry_date": expiry.isoformat(),
    }
    return fields


def _reading(plan: _Plan, lines: list[str], fields: dict[str, Any], today: date) -> Reading:
    reading = Reading(plan.layout.name, lines, fields)
    if fields["nationality"] != fields["issuing_state"]:
        line, start, end = plan.nationality_at
        reading.warnings.append(
            Finding("nationality", "nationality differs from issuing state", line, start, end)
        )
    expiry = date.fromisoformat(fields["expiry_date"])
    reading.expired = expiry < today
    if reading.expired:
        line, start, end = plan.expiry_at
        message = f"document expired {fields['expiry_date']}"
        reading.warnings.append(Finding("expiry_date", message, line, start, end))
    return reading
