"""Candidate finders, one module per family; `find_candidates` runs them all."""

from __future__ import annotations

from csnet.indicators.finders import labelled, links, numbers, zones
from csnet.indicators.finders.base import Candidate, Reading

FINDERS = (links.find, numbers.find, labelled.find, zones.find)


def find_candidates(text: str) -> list[Candidate]:
    """Every candidate in the working copy `text`, in no particular order; overlaps included."""
    return [candidate for finder in FINDERS for candidate in finder(text)]


__all__ = ["Candidate", "Reading", "find_candidates"]
