"""Phone numbers, IBANs, crypto wallets and vessel numbers in the working copy (ASCII digits)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from csnet.indicators.finders.base import Candidate, Reading, single

# A phone as people write it: +, 00 or a local trunk prefix, digit groups split by spaces,
# dashes, dots or brackets. A '+' after the digits is how a right-to-left line often shows a
# leading one once the bidi marks are gone ("۹۲۳۰۰۱۲۳۴۵۶۷+"); "(+92)" brackets the country code.
PHONE = re.compile(
    r"(?<![\w+./-])(?=[+(0-9])"  # why: a cheap gate before the alternatives
    r"(?:(?P<plus>\+ ?|00(?=[1-9]))?(?:\(\d{1,5}\)|\d)|(?P<bracketed>\(\+\d{1,4}\)))"
    r"(?:[ .-]{0,2}(?:\(\d{1,5}\)|\d))+"
    r"(?P<tail>\+)?(?![\w/])",
    re.ASCII,
)
PHONE_DIGITS = (7, 15)  # E.164 allows 15; fewer than 7 is a price, a year or a flat number
# Country code and check digits, then the rest in one run or printed in groups of four; a
# short capitalised word after the last group may join, so readings try shorter prefixes too.
# The first letter comes before the boundary check (a lookbehind over it) so that re scans for it.
IBAN = re.compile(
    r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]\d{2}"
    r"(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)"
    r"(?![A-Za-z0-9])",
    re.ASCII,
)
IBAN_MIN = 15  # Norway's, the shortest
# Each starts with its literal (the boundary checked just after it, a lookbehind that spans it),
# so that re scans for the literal instead of trying the lookbehind at every position.
WALLETS = (
    re.compile(
        r"(?=(?i:[blt]))(?<![A-Za-z0-9])(?i:bc1|tb1|ltc1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}"
        r"(?![A-Za-z0-9])"
    ),
    re.compile(r"0(?<![A-Za-z0-9]0)x[0-9a-fA-F]{40}(?![A-Za-z0-9])"),
    re.compile(r"T(?<![A-Za-z0-9]T)[1-9A-HJ-NP-Za-km-z]{33}(?![A-Za-z0-9])"),
    # Bitcoin legacy (1…) and script (3…) addresses; a letter rules out long plain numbers.
    re.compile(
        r"[13](?<![A-Za-z0-9][13])(?=[1-9]*[A-Za-z])[1-9A-HJ-NP-Za-km-z]{25,33}(?![A-Za-z0-9])"
    ),
)
VESSEL = re.compile(
    r"(?=[im])"  # why: re has no prefix scan for a case-insensitive alternation
    r"\b(?P<label>IMO|MMSI)(?:\s*(?:no\.?|nr\.?|number|n[°o]\.?|#|:))*\s*(?P<number>\d{7,9})"
    r"(?!\d)",
    re.IGNORECASE,
)
VESSEL_DIGITS = {"IMO": 7, "MMSI": 9}


def find(text: str) -> Iterator[Candidate]:
    yield from _phones(text)
    yield from _ibans(text)
    yield from _wallets(text)
    yield from _vessels(text)


def _phones(text: str) -> Iterator[Candidate]:
    for match in PHONE.finditer(text):
        digits = sum(c.isdigit() for c in match.group())
        if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1] + 2 * (match["plus"] == "00"):
            continue
        value, bracketed = match.group(), match["bracketed"]
        if bracketed:  # "(+92) 300…" -> "+92 300…": the types read a leading "+"
            value = bracketed[1:-1] + value[len(bracketed) :]
        elif match["tail"] and not match["plus"]:
            value = "+" + value[:-1]
        international = bool(match["plus"] or match["tail"] or bracketed)
        yield single("phone", value, match.start(), match.end(), strong=international)


def iban_prefixes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans [start, e) ending where a word ends, longest first, at least IBAN_MIN long."""
    ends = [i for i in range(start + 1, end + 1) if i == len(text) or not text[i].isalnum()]
    return [(start, e) for e in reversed(ends) if len(text[start:e].replace(" ", "")) >= IBAN_MIN]


def _ibans(text: str) -> Iterator[Candidate]:
    for match in IBAN.finditer(text):
        spans = iban_prefixes(text, match.start(), match.end())
        readings = tuple(Reading("iban", text[s:e], s, e) for s, e in spans)
        if readings:
            yield Candidate(readings, strong=True)


def _wallets(text: str) -> Iterator[Candidate]:
    # Every shape here is plainly an address, so a failed checksum is a mistyped wallet.
    for pattern in WALLETS:
        for match in pattern.finditer(text):
            yield single("wallet", match.group(), match.start(), match.end(), strong=True)


def _vessels(text: str) -> Iterator[Candidate]:
    for match in VESSEL.finditer(text):
        label = match["label"].upper()
        if len(match["number"]) != VESSEL_DIGITS[label]:
            continue
        value = f"{label} {match['number']}"
        yield single("vessel", value, match.start(), match.end(), strong=True)
