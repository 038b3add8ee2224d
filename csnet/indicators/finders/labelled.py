"""Travel-document numbers and vehicle plates, found only where a label names them.

A bare "AB1234567" could be anything: an order number, a flight, a reference. Written after
"passport", "پاسپورٹ", "جواز سفر" or "πινακίδα" it is what the label says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from csnet.indicators.base import Hint
from csnet.indicators.finders.base import Candidate, single

# Labels by ICAO document type: P passport, I identity card (CNIC, tazkira, kimlik …). English,
# Urdu, Arabic, Persian/Dari, Pashto, Spanish, French, Italian, Greek, Turkish.
PASSPORT_LABELS = (
    r"passport|travel document|پاسپورٹ|جواز سفر|جواز السفر|الجواز|پاسپورت|گذرنامه|پاسپورټ|"
    r"pasaporte|passeport|passaporto|διαβατήριο|διαβατηρίου|pasaport|pasaportu|reisepasses|"
    r"reisepass"
)
ID_LABELS = (
    r"identity card|id card|cnic|شناختی کارڈ|بطاقة هوية|بطاقة الهوية|کارت ملی|تذکره|"
    r"carte d'identité|carta d'identità|ταυτότητα|ταυτότητας|kimlik|personalausweis"
)
# An English nationality word before the label names the issuing state ("Afghan passport").
NATIONALITIES = {
    "pakistani": "PAK",
    "afghan": "AFG",
    "syrian": "SYR",
    "iraqi": "IRQ",
    "iranian": "IRN",
    "bangladeshi": "BGD",
    "indian": "IND",
    "egyptian": "EGY",
    "libyan": "LBY",
    "moroccan": "MAR",
    "algerian": "DZA",
    "tunisian": "TUN",
    "eritrean": "ERI",
    "sudanese": "SDN",
    "somali": "SOM",
    "nigerian": "NGA",
    "turkish": "TUR",
    "greek": "GRC",
    "italian": "ITA",
}
PLATE_LABELS = (
    r"number plate|licen[cs]e plate|plate|registration|reg\.? no",
    r"نمبر پلیٹ|گاڑی نمبر",
    r"رقم اللوحة|لوحة",
    r"پلاک",
    r"targa",
    r"plaque|immatriculation",
    r"πινακίδα|πινακίδες|αριθμός κυκλοφορίας",
    r"plaka",
)
# "No.", "Nr", "n°", "number", "رقم", "نمبر", "شماره", "αριθμός", "numarası" and punctuation
# between a label and its value.
FILLER = (
    r"(?:[\s:#.,-]|(?i:no|nr|n°|nº|number|num[ée]ro|numero|numarası|numara|αριθμός|αρ)"
    r"(?![^\W\d_])|رقم|نمبر|شماره|شمیره)*"
)
# ICAO issuing-state code written before the number ("passport PAK AB1234567") or after it in
# brackets ("AB1234567 (SYR)").
DOCUMENT = re.compile(
    rf"(?:(?i:(?P<nationality>{'|'.join(NATIONALITIES)}))\s+)?"
    rf"(?i:(?P<passport>{PASSPORT_LABELS})|(?P<id>{ID_LABELS})){FILLER}"
    r"(?:(?P<before>[A-Z]{3})[\s:,-]+)?"
    r"(?P<number>(?=[A-Z0-9-]*\d)[A-Z0-9](?:-?[A-Z0-9]){4,16})(?![\w-])"
    r"(?:\s*\((?P<after>D|[A-Z]{2,3})\))?"
)
# Plates: groups of capital Latin or Greek letters and digits, at least one digit.
PLATE_GROUP = r"(?:[A-ZΑ-Ω]{1,4}|\d{1,5})"
PLATE = re.compile(
    rf"(?i:{'|'.join(PLATE_LABELS)}){FILLER}"
    rf"(?P<plate>(?=[A-ZΑ-Ω0-9 -]*\d){PLATE_GROUP}(?:[ -]?{PLATE_GROUP}){{0,4}})(?![\w-])"
)


# Python's re has no prefix scan for a case-insensitive alternation: DOCUMENT and PLATE alone
# would try every nationality and label at every position of the text. One pass finds where a
# label starts (gated on the first two letters labels have), and the patterns are tried there.
ALL_LABELS = "|".join((PASSPORT_LABELS, ID_LABELS, *PLATE_LABELS))


def letters_at(index: int, alternation: str) -> str:
    """The characters at `index` of the alternatives of `alternation`, each a plain letter."""
    return "".join(sorted({alternative[index] for alternative in alternation.split("|")}))


LABEL_STARTS = re.compile(
    rf"(?=(?i:[{letters_at(0, ALL_LABELS)}][{letters_at(1, ALL_LABELS)}]))(?=(?i:{ALL_LABELS}))"
)
SPACE = re.compile(r"\s")
NATIONALITY_LENGTHS = sorted({len(word) for word in NATIONALITIES})


def find(text: str) -> Iterator[Candidate]:
    labels = [match.start() for match in LABEL_STARTS.finditer(text)]
    if labels:  # why: most texts name no document or plate
        yield from _documents(text, document_starts(text, labels))
        yield from _plates(text, labels)


def document_starts(text: str, labels: list[int]) -> list[int]:
    """Where a DOCUMENT match can start: at a label, or at a nationality word that ends where
    the white space before a label begins (each nationality letter matches one character)."""
    starts = set(labels)
    for label in labels:
        space = label
        while space and SPACE.match(text, space - 1):
            space -= 1
        if space < label:
            starts.update(space - n for n in NATIONALITY_LENGTHS if space >= n)
    return sorted(starts)


def matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` yields, given (sorted) every position a match can start at."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            yield match
            end = match.end()


def _documents(text: str, starts: list[int]) -> Iterator[Candidate]:
    for match in matches_at(DOCUMENT, text, starts):
        kind = "P" if match["passport"] else "I"
        state = document_state(match)
        # The country the post was seen in is not the issuing state: without a written one the
        # document type refuses it, and the reader is told why.
        value = f"{state}:{kind}:{match['number']}" if state else f"{kind}:{match['number']}"
        start, end = match.span("number")
        yield single("document", value, start, end, strong=True, hint=Hint())


def document_state(match: re.Match[str]) -> str | None:
    if match["nationality"]:
        return NATIONALITIES.get(nationality_key(match["nationality"]))
    return match["before"] or match["after"]


def nationality_key(word: str) -> str:
    """The word as NATIONALITIES spells it. The case-blind pattern also matches Turkish capitals
    ("PAKİSTANİ": İ lower-cases to i and a combining dot; ı to itself), which the table lacks."""
    return word.lower().replace("\u0307", "").replace("ı", "i")


def _plates(text: str, starts: list[int]) -> Iterator[Candidate]:
    # Weak: plate formats are loose, so a labelled value that fails is not worth a warning.
    for match in matches_at(PLATE, text, starts):
        start, end = match.span("plate")
        yield single("plate", match["plate"], start, end, strong=False)
