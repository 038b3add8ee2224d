"""The indicators an item holds (pure): what correlation records as sightings, what the link
rule compares an answer with, and whether an item carries data of a protected person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from csnet.handling.categories import PROTECTED_CATEGORIES, DataSubjectCategory
from csnet.indicators.base import NO_HINT, Hint, Indicator
from csnet.indicators.extract import extract
from csnet.items.envelope import Envelope
from csnet.items.kinds import stated_indicators

TEXT_FIELDS = ("title", "text", "comment", "context")  # alerts, notes, replies, acks, indicators
SKIPPED_KINDS = frozenset({"tombstone", "group", "consent"})  # no case content


def _texts(body: Mapping[str, Any]) -> Iterable[str]:
    for name in TEXT_FIELDS:
        value = body.get(name)
        if isinstance(value, str):
            yield value
    for person in body.get("persons") or ():
        # why: a victim's phone number is often written in the note about that person
        if isinstance(person, Mapping) and isinstance(person.get("note"), str):
            yield person["note"]


def indicators_of(env: Envelope, hint: Hint = NO_HINT) -> list[Indicator]:
    """Every distinct indicator in the item's free text, in text order."""
    if env.kind in SKIPPED_KINDS:
        return []
    # why: an `indicator` item states its typed value; it is not left to text extraction
    found = {i.key: i for i in stated_indicators(env.kind, env.body)}
    for text in _texts(env.body):
        for hit in extract(text, hint).found:
            found.setdefault(hit.indicator.key, hit.indicator)
    return list(found.values())


def is_protected(env: Envelope) -> bool:
    """The item carries data of a victim or smuggled migrant (markings or persons)."""
    categories = set(env.markings.subjects)
    for person in env.body.get("persons") or ():
        if isinstance(person, Mapping):
            try:
                categories.add(DataSubjectCategory(str(person.get("category"))))
            except ValueError:
                continue
    return bool(categories & PROTECTED_CATEGORIES)
