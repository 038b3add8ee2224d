"""The ICAO 9303 check digit: weights 7, 3, 1 repeating over the characters' values, mod 10.

Digits count as themselves, A–Z as 10–35 and the filler `<` as 0 (Doc 9303 Part 3, 4.9).
`check_digit` is the fast path (bytes translated to values and summed in C);
`check_digit_plain` is its reference, kept for the differential test.
"""

from __future__ import annotations

ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)
_FOREIGN = 255
_VALUES = bytes(
    (b - 48) if 48 <= b <= 57 else (b - 55) if 65 <= b <= 90 else 0 if b == 60 else _FOREIGN
    for b in range(256)
)


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
    if not text or not text.isascii():
        return None
    values = text.encode("ascii").translate(_VALUES)
    if _FOREIGN in values:
        return None
    total = 7 * sum(values[0::3]) + 3 * sum(values[1::3]) + sum(values[2::3])
    return "0123456789"[total % 10]


def check_digit_plain(text: str) -> str | None:
    """The reference: one character at a time, as Doc 9303 writes it."""
    if not text:
        return None
    total = 0
    for index, char in enumerate(text):
        value = char_value(char)
        if value is None:
            return None
        total += value * _WEIGHTS[index % 3]
    return str(total % 10)
