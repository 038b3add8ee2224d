"""Typed indicators in free text (alerts, notes, pasted posts), each with its span in the text.

The text is read through a working copy (text.py: digits to ASCII, direction marks dropped …);
finders propose candidates there (finders/); each candidate is read by the registry's types,
most specific reading first, and spans map back to the original. A candidate no type accepts is
not an indicator, but one shaped plainly like its type (an 0x address with a wrong EIP-55 case,
an IBAN with a wrong check) is returned as `rejected`, with the type's reason, so a person can
be told "this looks like a wallet but its checksum is wrong".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from csnet.indicators import registry
from csnet.indicators.base import NO_HINT, Hint, Indicator, InvalidIdentifier
from csnet.indicators.finders import Candidate, Reading, find_candidates
from csnet.indicators.text import Working, working_copy


@dataclass(frozen=True)
class Found:
    """An indicator and where it is: `text[start:end] == self.text` in the original text."""

    indicator: Indicator
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.indicator.type,
            "value": self.indicator.value,
            "display": self.indicator.display,
            "specificity": self.indicator.specificity,
            "details": dict(self.indicator.details),
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True)
class Rejected:
    """Text that looks like a `type` but fails its validation, and why."""

    type: str
    start: int
    end: int
    text: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Extraction:
    found: list[Found] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": [f.as_dict() for f in self.found],
            "rejected": [r.as_dict() for r in self.rejected],
        }


@dataclass(frozen=True)
class _Outcome:
    """One candidate's result in working-copy coordinates."""

    reading: Reading
    indicator: Indicator | None = None
    reason: str = ""

    @property
    def length(self) -> int:
        return self.reading.end - self.reading.start


def extract(text: str, hint: Hint = NO_HINT) -> Extraction:
    """Every indicator in `text`, and what looks like one but is not valid."""
    work = working_copy(text)
    known = {kind.name for kind in registry.types()}
    outcomes = [read(candidate, hint, known) for candidate in find_candidates(work.text)]
    valid = _without_overlaps(o for o in outcomes if o is not None and o.indicator)
    invalid = _without_overlaps(
        o for o in outcomes if o is not None and not o.indicator and not _overlaps_any(o, valid)
    )
    return Extraction(found=_found(work, valid), rejected=[_rejected(work, o) for o in invalid])


def read(candidate: Candidate, hint: Hint, known: set[str]) -> _Outcome | None:
    """The first reading a registered type accepts; else, for a strong candidate, the first
    reading's refusal; else None. Types not registered are skipped."""
    first_refusal: _Outcome | None = None
    for reading in candidate.readings:
        if reading.type not in known:
            continue
        try:
            indicator = registry.parse(reading.type, reading.value, reading.hint or hint)
        except InvalidIdentifier as exc:
            first_refusal = first_refusal or _Outcome(reading, reason=exc.message)
            continue
        return _Outcome(reading, indicator=indicator)
    return first_refusal if candidate.strong else None


def _overlaps(a: _Outcome, b: _Outcome) -> bool:
    return a.reading.start < b.reading.end and b.reading.start < a.reading.end


def _overlaps_any(outcome: _Outcome, others: list[_Outcome]) -> bool:
    return any(_overlaps(outcome, other) for other in others)


def _without_overlaps(outcomes: Iterable[_Outcome]) -> list[_Outcome]:
    """Longest first (a wa.me link over the phone number inside it, an e-mail address over its
    domain), then the more specific indicator; returned in text order."""

    def rank(o: _Outcome) -> tuple[int, float, int]:
        specificity = o.indicator.specificity if o.indicator else 0.0
        return (-o.length, -specificity, o.reading.start)

    kept: list[_Outcome] = []
    for outcome in sorted(outcomes, key=rank):
        if not _overlaps_any(outcome, kept):
            kept.append(outcome)
    return sorted(kept, key=lambda o: o.reading.start)


def _found(work: Working, outcomes: list[_Outcome]) -> list[Found]:
    """Found items in text order, one per indicator key (its first mention)."""
    seen: set[str] = set()
    found: list[Found] = []
    for outcome in outcomes:
        assert outcome.indicator is not None  # only valid outcomes come here
        if outcome.indicator.key in seen:
            continue
        seen.add(outcome.indicator.key)
        start, end = work.span(outcome.reading.start, outcome.reading.end)
        found.append(Found(outcome.indicator, start, end, work.original[start:end]))
    return found


def _rejected(work: Working, outcome: _Outcome) -> Rejected:
    start, end = work.span(outcome.reading.start, outcome.reading.end)
    return Rejected(outcome.reading.type, start, end, work.original[start:end], outcome.reason)
