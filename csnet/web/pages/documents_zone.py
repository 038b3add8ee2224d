"""A zone's reading as the /documents page shows it: decoded fields with their labels, errors and
warnings as sentences in the member's language, and the zone cut into runs of characters, each
failing, warned or repaired run marked in place (csnet.mrz gives line and columns, from 1).

csnet.mrz writes its messages in English; the known ones are said again here in the member's
language, the field named by its label. A message this page does not know is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pycountry
from babel import Locale, UnknownLocaleError

from csnet.mrz import Finding, Reading, Repair
from csnet.web.pages.i18n import gettext as _

Sentence = Callable[[dict[str, str]], str]


def field_labels() -> dict[str, str]:
    return {
        "document_code": _("Document code"),
        "document_type": _("Document type"),
        "issuing_state": _("Issuing state"),
        "document_number": _("Document number"),
        "surname": _("Surname"),
        "given_names": _("Given names"),
        "names": _("Name"),
        "nationality": _("Nationality"),
        "birth_date": _("Date of birth"),
        "sex": _("Sex"),
        "expiry_date": _("Date of expiry"),
        "personal_number": _("Personal number"),
        "optional_data": _("Optional data"),
        "optional_data_2": _("Optional data"),
        "composite": _("Composite check digit"),
    }


def label_of(name: str) -> str:
    labels = field_labels()
    base = name.removesuffix("_check_digit")
    if base in labels:
        return labels[base]
    return _("The zone")


def _patterns() -> list[tuple[re.Pattern[str], Sentence]]:
    def expected(m: dict[str, str]) -> str:
        return _("%(field)s: the check digit should be %(expected)s, the zone has %(found)s.") % m

    return [
        (re.compile(r".* check digit: expected (?P<expected>\S+), found (?P<found>.)$"), expected),
        (
            re.compile(r".*: not a digit at column \d+, and no reading holds$"),
            lambda m: _("%(field)s: a letter stands where a digit belongs.") % m,
        ),
        (
            re.compile(r".* counts the filler after the first 9 characters"),
            lambda m: (
                _(
                    "%(field)s: the check digit also counts the filler after the first 9 "
                    "characters, as some issuers do."
                )
                % m
            ),
        ),
        (
            re.compile(r".*(: characters outside| is not in) the MRZ alphabet$"),
            lambda m: _("%(field)s: only A–Z, 0–9 and < belong in a zone.") % m,
        ),
        (
            re.compile(r".* looks repaired \(.*\)$"),
            lambda m: _("%(field)s looks repaired: compare it with the printed page.") % m,
        ),
        (
            re.compile(r"^nationality differs from issuing state$"),
            lambda m: _("The nationality differs from the issuing state."),
        ),
        (
            re.compile(r"^document expired (?P<date>[0-9-]+)$"),
            lambda m: _("The document expired on %(date)s.") % m,
        ),
        (
            re.compile(r".* is not an ICAO or ISO 3166 code$"),
            lambda m: _("%(field)s: not a known state code.") % m,
        ),
        (
            re.compile(r".*Germany is D in an MRZ, not DEU$"),
            lambda m: _("%(field)s: a zone writes Germany as D, not DEU.") % m,
        ),
        (
            re.compile(r"^the name fills its field"),
            lambda m: _("The name fills its whole field: it may have been cut short."),
        ),
        (re.compile(r"^no name$"), lambda m: _("The zone holds no name.")),
        (
            re.compile(r"^no primary identifier"),
            lambda m: _("The zone gives no surname, only given names."),
        ),
        (re.compile(r".* is not a date$"), lambda m: _("%(field)s: not a real date.") % m),
        (
            re.compile(r"^expiry is not after the birth date$"),
            lambda m: _("The date of expiry is not after the date of birth."),
        ),
        (
            re.compile(r"^document code .* is not one of"),
            lambda m: _("The document code does not fit this kind of zone."),
        ),
        (
            re.compile(r"^sex .* is not F, M, X or <$"),
            lambda m: _("The sex is not F, M, X or <."),
        ),
        (
            re.compile(r"^an MRZ is "),
            lambda m: _("A zone is 3 lines of 30 characters, or 2 lines of 36 or 44."),
        ),
    ]


@dataclass(frozen=True)
class Said:
    """A finding as one sentence; `english` when this page had no words of its own for it."""

    text: str
    where: str
    english: bool


def sentence(finding: Finding) -> Said:
    for pattern, say in _patterns():
        found = pattern.search(finding.message)
        if found:
            values = {"field": label_of(finding.field), **found.groupdict()}
            return Said(say(values), _where(finding), english=False)
    return Said(finding.message, _where(finding), english=True)


def _where(finding: Finding) -> str:
    if finding.line is None or finding.start is None:
        return ""
    if finding.end is None or finding.end == finding.start:
        return _("line %(line)s, column %(column)s") % {
            "line": finding.line,
            "column": finding.start,
        }
    return _("line %(line)s, columns %(start)s–%(end)s") % {
        "line": finding.line,
        "start": finding.start,
        "end": finding.end,
    }


def repair_sentence(repair: Repair) -> str:
    values = {"field": label_of(repair.field), "found": repair.found, "used": repair.used}
    place = _("line %(line)s, column %(column)s") % {"line": repair.line, "column": repair.column}
    values["where"] = f"{values['field']}, {place}"
    if repair.confirmed_by is None:
        return _("%(where)s: %(found)s taken as %(used)s; no check digit confirms it.") % values
    return _("%(where)s: %(found)s taken as %(used)s, confirmed by a check digit.") % values


@dataclass(frozen=True)
class Run:
    """Consecutive characters of one line marked the same way ("" when not marked)."""

    text: str
    mark: str  # "", "error", "warning" or "repair"
    note: str


def _cell_marks(reading: Reading) -> dict[tuple[int, int], tuple[str, str]]:
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    for kind, findings in (("warning", reading.warnings), ("error", reading.errors)):
        for finding in findings:
            if finding.line is None or finding.start is None:
                continue
            for column in range(finding.start, (finding.end or finding.start) + 1):
                marks[(finding.line, column)] = (kind, sentence(finding).text)
    for repair in reading.repairs:
        if marks.get((repair.line, repair.column), ("",))[0] != "error":
            marks[(repair.line, repair.column)] = ("repair", repair_sentence(repair))
    return marks


def zone_runs(reading: Reading) -> list[list[Run]]:
    """Each line of the zone as runs of characters; errors win over repairs over warnings."""
    marks = _cell_marks(reading)
    lines: list[list[Run]] = []
    for number, line in enumerate(reading.lines, start=1):
        runs: list[Run] = []
        for column, char in enumerate(line, start=1):
            mark, note = marks.get((number, column), ("", ""))
            if runs and runs[-1].mark == mark and runs[-1].note == note:
                runs[-1] = Run(runs[-1].text + char, mark, note)
            else:
                runs.append(Run(char, mark, note))
        lines.append(runs)
    return lines


def state_label(code: str, described: str | None, lang: str) -> str:
    """A state's name in the member's language where Babel knows it, else csnet.mrz's."""
    code = code.rstrip("<")
    country = pycountry.countries.get(alpha_3="DEU" if code == "D" else code)
    if country is not None:
        try:
            named = Locale.parse(lang).territories.get(str(country.alpha_2))
        except (UnknownLocaleError, ValueError):
            named = None
        if named:
            return str(named)
    return described or code


def document_type_label(code: str) -> str:
    return {"P": _("passport"), "V": _("visa")}.get(code[:1], _("identity card"))


@dataclass(frozen=True)
class Decoded:
    label: str
    value: str
    code: str = ""  # the zone's own writing, shown beside a name (states)
    mono: bool = False


def _state(fields: dict[str, object], name: str, lang: str) -> Decoded | None:
    code = str(fields.get(name) or "")
    if not code:
        return None
    described = fields.get(f"{name}_name")
    label = field_labels()[name]
    if not described:
        return Decoded(label, code, mono=True)
    return Decoded(label, state_label(code, str(described), lang), code=code)


def decoded_fields(reading: Reading, lang: str) -> list[Decoded]:
    """The fields an officer compares with the printed page, in the order of a data page."""
    fields = reading.fields
    labels = field_labels()
    rows: list[Decoded | None] = []
    code = str(fields.get("document_code") or "")
    if code:
        rows.append(Decoded(labels["document_type"], document_type_label(code), code=code))
    rows.append(_state(fields, "issuing_state", lang))
    for name in ("document_number", "surname", "given_names"):
        if fields.get(name):
            rows.append(Decoded(labels[name], str(fields[name]), mono=name == "document_number"))
    rows.append(_state(fields, "nationality", lang))
    if fields.get("birth_date"):
        rows.append(Decoded(labels["birth_date"], str(fields["birth_date"]), mono=True))
    if fields.get("sex"):
        rows.append(Decoded(labels["sex"], _sex(str(fields["sex"]))))
    if fields.get("expiry_date"):
        rows.append(Decoded(labels["expiry_date"], str(fields["expiry_date"]), mono=True))
    for name in ("personal_number", "optional_data", "optional_data_2"):
        if fields.get(name):
            rows.append(Decoded(labels[name], str(fields[name]), mono=True))
    return [row for row in rows if row is not None]


def _sex(code: str) -> str:
    return {"F": _("female"), "M": _("male")}.get(code, _("unspecified"))
