"""Field values and the rules no check digit covers: codes, names, sex, dates and expiry."""

from __future__ import annotations

from datetime import date
from typing import Any

from csnet.mrz import decode
from csnet.mrz.layouts import Field, Kind, Layout
from csnet.mrz.overflow import number_overflow
from csnet.mrz.repair import TO_LETTER, in_filler_run
from csnet.mrz.result import Finding, Reading, Repair
from csnet.mrz.states import state_name

TYPES = {"P": "passport", "V": "visa", "I": "identity card", "A": "identity card",
         "C": "identity card"}  # fmt: skip
CODES = {"TD3": "P", "MRV-A": "V", "MRV-B": "V", "TD1": "ACI", "TD2": "ACIP"}
_UNGUARDED = "not covered by a check digit"


def repair_letters(layout: Layout, grid: list[list[str]], reading: Reading) -> None:
    """Digits read in fields of letters (codes, names), and K or X read for fillers in names.

    No check digit covers these fields, so each repair is reported and warned about."""
    for field in layout.fields:
        if field.kind is not Kind.ALPHA:
            continue
        row, span = grid[field.span.line], field.span
        changed = False
        # why: a document code's second character may be a digit; only its first is a letter
        end = span.start + 1 if field.name == "document_code" else span.end
        for column in range(span.start, end):
            used = _letter_for(row, column, span.start, field.name == "names")
            if used is not None:
                reading.repairs.append(
                    Repair(field.name, span.line + 1, column + 1, row[column], used, None)
                )
                row[column] = used
                changed = True
        if changed:
            reading.warnings.append(_where(field, f"{_label(field)} looks repaired ({_UNGUARDED})"))


def _letter_for(row: list[str], column: int, start: int, names: bool) -> str | None:
    char = row[column]
    if char in TO_LETTER:
        return TO_LETTER[char]
    if names and char in "KX" and in_filler_run(row, column, start):
        return "<"
    return None


def decode_fields(layout: Layout, reading: Reading, today: date) -> None:
    lines = reading.lines
    values = {f.name: f.span.of(lines) for f in layout.fields}
    out: dict[str, Any] = {}
    _code(layout, values["document_code"], out, reading)
    _state(layout, "issuing_state", values["issuing_state"], out, reading)
    _state(layout, "nationality", values["nationality"], out, reading)
    if out.get("nationality") and out["nationality"] != out.get("issuing_state"):
        reading.warnings.append(
            _where(layout.field("nationality"), "nationality differs from issuing state")
        )
    for name in ("optional_data", "optional_data_2", "personal_number"):
        if name in values:
            out[name] = decode.text(values[name])
    _number(layout, lines, out)
    _names(layout, values["names"], out, reading)
    _sex(layout, values["sex"], out, reading)
    _dates(layout, values, out, reading, today)
    reading.fields = out


def _code(layout: Layout, raw: str, out: dict[str, Any], reading: Reading) -> None:
    code = raw.rstrip("<") or raw
    out["document_code"] = code
    out["document_type"] = TYPES.get(code[:1])
    # why: the second character is the issuer's to choose, digits included ("C1" on a US card)
    if code[:1] not in CODES[layout.name]:
        reading.errors.append(
            _where(
                layout.field("document_code"),
                f"document code {raw!r} is not one of a {layout.name} zone",
            )
        )


def _state(layout: Layout, name: str, raw: str, out: dict[str, Any], reading: Reading) -> None:
    code = raw.rstrip("<")
    out[name] = code
    out[f"{name}_name"] = state_name(code)
    label = name.replace("_", " ")
    if out[f"{name}_name"] is None:
        reading.errors.append(
            _where(layout.field(name), f"{label} {raw!r} is not an ICAO or ISO 3166 code")
        )
    elif code == "DEU":
        reading.warnings.append(
            _where(layout.field(name), f"{label}: Germany is D in an MRZ, not DEU")
        )


def _number(layout: Layout, lines: list[str], out: dict[str, Any]) -> None:
    overflow = number_overflow(layout, [list(line) for line in lines])
    if overflow is None:
        check = next(c for c in layout.checks if c.name == "document_number")
    else:
        check = overflow  # why: what follows its check digit is the optional data proper
        rest = layout.field("optional_data").span
        out["optional_data"] = decode.text(lines[rest.line][check.digit.end : rest.end])
    out["document_number"] = "".join(s.of(lines) for s in check.covers).replace("<", "")
    out["document_number_check_digit"] = check.digit.of(lines)


def _names(layout: Layout, raw: str, out: dict[str, Any], reading: Reading) -> None:
    parsed = decode.names(raw)
    out["names"] = {"primary": parsed.primary, "secondary": parsed.secondary}
    out["surname"], out["given_names"] = parsed.primary, parsed.secondary
    if parsed.truncated:
        reading.warnings.append(
            _where(layout.field("names"), "the name fills its field: it may be cut short")
        )
    if not parsed.primary and not parsed.secondary:
        reading.errors.append(_where(layout.field("names"), "no name"))
    elif not parsed.primary:
        reading.warnings.append(
            _where(layout.field("names"), "no primary identifier (surname), given names only")
        )


def _sex(layout: Layout, raw: str, out: dict[str, Any], reading: Reading) -> None:
    out["sex"] = raw
    if raw not in decode.SEXES:
        reading.errors.append(_where(layout.field("sex"), f"sex {raw!r} is not F, M, X or <"))


def _dates(
    layout: Layout, values: dict[str, str], out: dict[str, Any], reading: Reading, today: date
) -> None:
    birth = decode.birth_date(values["birth_date"], today)
    expiry = decode.expiry_date(values["expiry_date"], today)
    for name, found in (("birth_date", birth), ("expiry_date", expiry)):
        out[name] = found.isoformat() if found else None
        if found is None:
            label = name.replace("_", " ")
            reading.errors.append(
                _where(layout.field(name), f"{label} {values[name]!r} is not a date")
            )
    if expiry is not None:
        reading.expired = expiry < today
        if reading.expired:
            reading.warnings.append(
                _where(layout.field("expiry_date"), f"document expired {expiry.isoformat()}")
            )
    if birth is not None and expiry is not None and expiry <= birth:
        reading.warnings.append(
            _where(layout.field("expiry_date"), "expiry is not after the birth date")
        )


def _label(field: Field) -> str:
    return {"names": "the name"}.get(field.name, field.name.replace("_", " "))


def _where(field: Field, message: str) -> Finding:
    span = field.span
    return Finding(field.name, message, span.line + 1, span.start + 1, span.end)
