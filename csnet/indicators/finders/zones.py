"""Machine-readable zones pasted into text: two or three lines of A–Z, 0–9 and `<`.

An officer pastes what a passport reader printed, or an OCR app gave: the zone is the whole
document, holder included, so it is found as one candidate and read by the document type
(csnet.mrz), never as the numbers and words inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from csnet.indicators.finders.base import Candidate, single

_LINE = r"[ \t]*[A-Za-z0-9<]{28,46}[ \t]*"
ZONE = re.compile(rf"(?m)^{_LINE}(?:\r?\n{_LINE}){{1,2}}$")


def find(text: str) -> Iterator[Candidate]:
    if "<<" not in text:  # why: every zone has fillers; most texts have none
        return
    for match in ZONE.finditer(text):
        zone = match.group()
        if zone.count("<") >= 2:
            start, end = _trimmed(text, *match.span())
            yield single("document", text[start:end], start, end, strong=True)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    return start, end
