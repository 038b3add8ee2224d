"""Travel and identity documents (ICAO Doc 9303): issuing state, document type, number.

Input: "<state>:<type>:<number>" (or the three separated by spaces or slashes), or "<type>:<number>"
with the issuing state as `Hint(country=…)`. State: ICAO code (ISO 3166-1 alpha-3, plus D for
Germany, the UN and special codes XXA stateless, XXB/XXC refugee, XXX unspecified, UNO/UNA/UNK,
EUE, GBD/GBN/GBO/GBP/GBS, RKS, UTO specimen); ISO alpha-2 and DEU are turned into the ICAO code.
Type: the MRZ document code's first letter (P passport, I/A/C identity card, V visa) with an
optional second one (PD diplomatic …); the words passport, id, visa are accepted.
Number: upper case letters and digits, "<" fillers, spaces and dashes removed, 4–20 characters
(long TD1 numbers overflow the 9-character field). A passport or visa number is at most nine
characters: a tenth that is the MRZ check digit of the nine ("L898902C36") is that digit, copied
from the zone, and is dropped.

A whole machine-readable zone is read as the document it belongs to (csnet.mrz), with its
holder's data in the details: names, nationality, birth date, sex, expiry, and whether the zone
is valid.

Canonical value: "<state>:<type>:<number>" ("GRC:P:AB1234567"). Specificity 1.0; 0.0 for the
specimen state UTO, whose numbers are in every training deck.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

import pycountry

from csnet import mrz
from csnet.indicators.base import Hint
from csnet.indicators.registry import register
from csnet.indicators.types._common import IdentifierKind, refuse
from csnet.mrz.states import ICAO_SPECIAL

_WORDS = {"PASSPORT": "P", "ID": "I", "IDCARD": "I", "VISA": "V"}
_ZONE = re.compile(r"[A-Z0-9<\s]{60,}")
HOLDER = ("surname", "given_names", "nationality", "birth_date", "sex", "expiry_date")
_DOCTYPE = re.compile(r"[PIACV][A-Z]?")
_NUMBER = re.compile(r"[A-Z0-9]{4,20}")


def icao_state(code: str) -> str:
    """The ICAO 9303 issuing-state code for an ICAO, ISO alpha-3 or ISO alpha-2 code."""
    code = code.upper().strip("<")
    if code in {"DE", "DEU"}:
        return "D"  # ICAO 9303 writes Germany as D
    if code in ICAO_SPECIAL:
        return code
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is None and len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise refuse(f"issuing state {code!r} is not an ICAO or ISO 3166 country code")
    return str(country.alpha_3)


def doc_type(text: str) -> str:
    code = _WORDS.get(text.upper().replace(" ", ""), text.upper().replace("<", ""))
    if not _DOCTYPE.fullmatch(code):
        raise refuse(f"document type {text!r} is not an ICAO code (P, I, A, C, V, PD …)")
    return code


def doc_number(text: str, kind: str = "") -> str:
    number = re.sub(r"[\s<-]", "", text.upper())
    if not _NUMBER.fullmatch(number):
        raise refuse(f"document number {text!r} is not 4–20 letters and digits")
    if kind[:1] in ("P", "V") and len(number) == 10 and mrz.check_digit(number[:9]) == number[9]:
        return number[:9]  # why: the zone's check digit, copied with the number
    return number


def from_zone(text: str) -> tuple[str, dict[str, str]]:
    """The document a machine-readable zone belongs to, with its holder's data."""
    reading = mrz.read(text, datetime.now(UTC).date())
    if reading.format is None:
        raise refuse(f"not a machine-readable zone: {reading.errors[0].message}")
    fields = reading.fields
    state = icao_state(fields["issuing_state"]) if fields.get("issuing_state_name") else None
    if state is None:
        raise refuse(f"machine-readable zone: {reading.errors[0].message}")
    kind = doc_type(str(fields["document_code"]).replace("<", "")[:2])
    number = doc_number(str(fields["document_number"]))
    details = {"state": state, "doctype": kind, "mrz_format": str(reading.format)}
    details |= {name: str(fields[name]) for name in HOLDER if fields.get(name)}
    details["mrz"] = "valid" if reading.valid else f"invalid: {reading.errors[0].message}"
    return f"{state}:{kind}:{number}", details


class Document(IdentifierKind):
    name = "document"
    label = "Travel document"

    def canonical(self, text: str, hint: Hint) -> tuple[str, Mapping[str, str]]:
        if "<" in text and _ZONE.fullmatch(text.upper()):
            return from_zone(text)
        parts = [p for p in re.split(r"[:/]" if ":" in text or "/" in text else r"\s+", text) if p]
        if len(parts) == 2 and hint.country:
            parts = [hint.country, *parts]
        if len(parts) != 3:
            raise refuse(
                "a document is issuing state, document type and number (e.g. GRC:P:AB1234567)"
            )
        state, kind = icao_state(parts[0]), doc_type(parts[1])
        number = doc_number(parts[2], kind)
        return f"{state}:{kind}:{number}", {"state": state, "doctype": kind}

    def specificity(self, value: str) -> float:
        return 0.0 if value.startswith("UTO:") else 1.0


register(Document())
