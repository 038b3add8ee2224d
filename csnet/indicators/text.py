"""A working copy of free text that regexes can read, with a map back to the original.

Posts mix scripts: Urdu, Arabic and Persian writers use Arabic-Indic (٠–٩) or extended (۰–۹)
digits, right-to-left text carries invisible direction marks inside numbers, and phones insert
full-width or compatibility characters. The working copy replaces each digit with its ASCII form,
drops the invisible marks and tatweel, folds compatibility forms (NFKC, one character at a time)
and writes every dash as '-' and every space as ' '. `origin[i]` is the index in the original
text of working character i, so a match in the copy maps back to an exact original span.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Direction marks, joiners and the Arabic tatweel (kashida) change how text looks, never what it
# says; left in, they split numbers and handles that a reader sees as one.
INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u0640"  # tatweel
    "\u061c"  # Arabic letter mark
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2060\u2066\u2067\u2068\u2069"  # word joiner, isolates
    "\ufeff"  # byte-order mark used as a zero-width no-break space
)


@dataclass(frozen=True)
class Working:
    """The working copy and, for each of its characters, the original index it came from."""

    original: str
    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of working span [start, end) (end > start)."""
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=8192)  # why: texts repeat few distinct characters; folding is per character
def fold_char(char: str) -> str:
    """What one original character becomes in the working copy ('' when it is dropped)."""
    if char in INVISIBLE:
        return ""
    if unicodedata.category(char) == "Nd":
        return str(unicodedata.decimal(char))  # ٣ ۳ ३ ３ -> 3
    if unicodedata.category(char) == "Pd":
        return "-"  # en dash, em dash, hyphen, Arabic-script dashes
    if unicodedata.category(char) == "Zs" or char == "\t":
        return " "  # no-break and thin spaces group digits in many locales
    folded = unicodedata.normalize("NFKC", char)
    # Superscripts and circled numbers fold to digits: beside a real number they would forge a
    # longer one ("10²" is not "102"), so they stay as they are.
    if any(c.isdigit() for c in folded):
        return char
    return folded


class _FoldTable(dict[int, str]):
    """`str.translate`'s table: each character's `fold_char`, computed the first time it is seen."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < TABLE_LIMIT:  # why: a text of rare characters must not grow it unbounded
            self[code] = folded
        return folded


TABLE_LIMIT = 8192
_FOLDED = _FoldTable()
_INVISIBLE_CHARS = re.compile(f"[{''.join(sorted(INVISIBLE))}]")


def working_copy(original: str) -> Working:
    if original.isascii():
        # why: in ASCII only the tab changes (to a space), one character for one
        text = original.replace("\t", " ")
        return Working(original=original, text=text, origin=tuple(range(len(original))))
    # why: folding in C (translate) and mapping back by the few dropped marks is several times
    # faster than a loop over the characters; it holds when every other character folds to one.
    text = original.translate(_FOLDED)
    dropped = [match.start() for match in _INVISIBLE_CHARS.finditer(original)]
    if len(text) + len(dropped) == len(original):  # only INVISIBLE folds to ''
        return Working(original=original, text=text, origin=_origin_without(original, dropped))
    return _working_copy_by_character(original)


def _origin_without(original: str, dropped: list[int]) -> tuple[int, ...]:
    """Every index of `original` but the `dropped` ones (sorted)."""
    origin: list[int] = []
    start = 0
    for index in dropped:
        origin.extend(range(start, index))
        start = index + 1
    origin.extend(range(start, len(original)))
    return tuple(origin)


def _working_copy_by_character(original: str) -> Working:
    """The working copy when a character folds to several (NFKC expands ligatures, say)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(original):
        folded = fold_char(char)
        chars.append(folded)
        origin.extend([index] * len(folded))
    return Working(original=original, text="".join(chars), origin=tuple(origin))
