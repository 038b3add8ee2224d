"""The ICAO 9303 check digit: weights 7, 3, 1 repeating over the characters' values, mod 10.

Digits count as themselves, A–Z as 10–35 and the filler `<` as 0 (Doc 9303 Part 3, 4.9).
"""

from __future__ import annotations

ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int | None:
    """The value of one MRZ character, or None for a character outside the alphabet."""
    if "0" <= char <= "9":
        return ord(char) - 48
    if "A" <= char <= "Z":
        return ord(char) - 55
    if char == "<":
        return 0
    return None


def check_digit(text: str) -> str | None:
    """The check digit of `text` ("520727" gives "3"); None for nothing, or a foreign character."""
    if not text:
        return None
    total = 0
    for index, char in enumerate(text):
        value = char_value(char)
        if value is None:
            return None
        total += value * _WEIGHTS[index % 3]
    return str(total % 10)
