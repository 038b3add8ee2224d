"""What a document check was given: a machine-readable zone, or a document alone. Pure rules.

A zone is text of at least 60 letters, digits and '<' (spaces and line breaks aside) holding a
'<': it is read by csnet.mrz, and its document (state, type, number) is looked up even when a
check digit fails, since a forger's zone is what a register is for. Anything else is one
document: STATE:TYPE:NUMBER in any of the `document` type's writings, or its three parts as
words in any order ("passport AB1234567 PAK"), or type and number with the node's country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import permutations

from csnet import mrz
from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import Hint, Indicator, InvalidIdentifier
from csnet.mrz import Reading

MAX_TEXT = 500
_ZONE = re.compile(r"[A-Z0-9<]{60,}")
_EXAMPLE = "PAK:P:AB1234567, passport AB1234567 PAK, or a machine-readable zone"


@dataclass(frozen=True)
class Query:
    reading: Reading | None  # None: a document alone, no zone to validate
    document: Indicator | None  # None: a zone so broken that no document can be read from it


def is_zone(text: str) -> bool:
    compact = re.sub(r"\s", "", text.upper())
    return "<" in compact and _ZONE.fullmatch(compact) is not None


def read_query(text: str, today: date, hint: Hint) -> Query:
    """The zone's reading and document, or the one document the text names; BadInput else."""
    if not text.strip() or len(text) > MAX_TEXT:
        raise BadInput(f"give a document or a zone (1-{MAX_TEXT} characters)", code="bad_query")
    if is_zone(text):
        return Query(mrz.read(text, today), _zone_document(text))
    return Query(None, document_alone(text.strip(), hint))


def _zone_document(text: str) -> Indicator | None:
    try:
        return registry.parse("document", text.upper())
    except InvalidIdentifier:
        return None  # why: the reading's errors already say what is wrong


def document_alone(text: str, hint: Hint) -> Indicator:
    try:
        return registry.parse("document", text, hint)
    except InvalidIdentifier as exc:
        first_reason = exc.message
    words = text.replace(",", " ").split()
    readings = {r.value: r for r in _word_readings(words, hint)}
    if len(readings) == 1:
        return next(iter(readings.values()))
    if len(readings) > 1:
        raise BadInput(
            f"{text!r} reads as {' or '.join(sorted(readings))}: write it as STATE:TYPE:NUMBER",
            code="ambiguous_query",
        )
    raise BadInput(f"not a document ({first_reason}); give {_EXAMPLE}", code="invalid_identifier")


def _word_readings(words: list[str], hint: Hint) -> list[Indicator]:
    """Every reading of two or three words as (state,) type and number, in any order."""
    if len(words) not in (2, 3):
        return []
    found = []
    for order in permutations(words):
        try:
            found.append(registry.parse("document", ":".join(order), hint))
        except InvalidIdentifier:
            continue
    return found
