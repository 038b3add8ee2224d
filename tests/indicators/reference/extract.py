"""Reference `extract`: the plain path, run on the reference working copy and finders; the
result classes and the identifier types are the package's own."""

from __future__ import annotations

from collections.abc import Iterable

from csnet.indicators import registry
from csnet.indicators.base import NO_HINT, Hint, InvalidIdentifier
from csnet.indicators.extract import Extraction, Found, Rejected, _Outcome
from csnet.indicators.finders import zones
from csnet.indicators.finders.base import Candidate
from tests.indicators.reference import labelled, links, numbers
from tests.indicators.reference.text import Working, working_copy

# why: zones have no fast path; the reference runs the same finder
FINDERS = (links.find, numbers.find, labelled.find, zones.find)


def find_candidates(text: str) -> list[Candidate]:
    return [candidate for finder in FINDERS for candidate in finder(text)]


def extract(text: str, hint: Hint = NO_HINT) -> Extraction:
    work = working_copy(text)
    known = {kind.name for kind in registry.types()}
    outcomes = [read(candidate, hint, known) for candidate in find_candidates(work.text)]
    valid = _without_overlaps(o for o in outcomes if o is not None and o.indicator)
    invalid = _without_overlaps(
        o for o in outcomes if o is not None and not o.indicator and not _overlaps_any(o, valid)
    )
    return Extraction(found=_found(work, valid), rejected=[_rejected(work, o) for o in invalid])


def read(candidate: Candidate, hint: Hint, known: set[str]) -> _Outcome | None:
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
    def rank(o: _Outcome) -> tuple[int, float, int]:
        specificity = o.indicator.specificity if o.indicator else 0.0
        return (-o.length, -specificity, o.reading.start)

    kept: list[_Outcome] = []
    for outcome in sorted(outcomes, key=rank):
        if not _overlaps_any(outcome, kept):
            kept.append(outcome)
    return sorted(kept, key=lambda o: o.reading.start)


def _found(work: Working, outcomes: list[_Outcome]) -> list[Found]:
    seen: set[str] = set()
    found: list[Found] = []
    for outcome in outcomes:
        assert outcome.indicator is not None
        if outcome.indicator.key in seen:
            continue
        seen.add(outcome.indicator.key)
        start, end = work.span(outcome.reading.start, outcome.reading.end)
        found.append(Found(outcome.indicator, start, end, work.original[start:end]))
    return found


def _rejected(work: Working, outcome: _Outcome) -> Rejected:
    start, end = work.span(outcome.reading.start, outcome.reading.end)
    return Rejected(outcome.reading.type, start, end, work.original[start:end], outcome.reason)
