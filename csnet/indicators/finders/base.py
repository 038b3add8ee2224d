"""What a finder proposes: candidate spans of the working copy and how to read each one.

Finders only look at text; whether a candidate is an identifier is for the registry's types to
say (extract.py asks them). So finders can be generous and stay testable without any type.
"""

from __future__ import annotations

from dataclasses import dataclass

from csnet.indicators.base import Hint


@dataclass(frozen=True)
class Reading:
    """One way to read a candidate: as identifier type `type`, parsing `value`, which covers
    [start, end) of the working copy. `hint`, when set, replaces the caller's hint (a passport's
    issuing state written beside its number says more than the country the post was seen in)."""

    type: str
    value: str
    start: int
    end: int
    hint: Hint | None = None


@dataclass(frozen=True)
class Candidate:
    """Readings, most specific first: the first one that validates is the indicator.

    `strong` marks text shaped so plainly like its first reading's type (an 0x address, a
    labelled passport number, a link) that failing validation is worth telling the reader: a
    mistyped wallet is news, a number that is not a phone is not."""

    readings: tuple[Reading, ...]
    strong: bool = False


def single(
    type_: str, value: str, start: int, end: int, *, strong: bool, hint: Hint | None = None
) -> Candidate:
    return Candidate((Reading(type_, value, start, end, hint),), strong=strong)


# Characters that end a link or a word in running text, whatever the script: white space,
# quotes and the Arabic-script comma, semicolon, question mark and Urdu full stop.
STOP = "\\s<>\"'«»“”‘’،؛؟۔"
