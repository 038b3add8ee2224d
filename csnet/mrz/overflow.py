"""Document numbers longer than nine characters, in TD1 and TD2 zones (Doc 9303 Part 5, note j).

The number goes on in the optional data, with `<` where its check digit would be, and its check
digit after its last character.
"""

from __future__ import annotations

from csnet.mrz.layouts import TD1, TD2, Check, Layout, Span


def number_overflow(layout: Layout, grid: list[list[str]]) -> Check | None:
    if layout not in (TD1, TD2):
        return None
    number = layout.field("document_number").span
    optional = layout.field("optional_data").span
    row = grid[number.line]
    if row[number.end] != "<" or row[optional.start] == "<":
        return None
    end = optional.start
    while end < optional.end and row[end] != "<":
        end += 1
    if end - optional.start < 2:
        return None  # why: one character is only a check digit, with nothing of the number
    rest = Span(number.line, optional.start, end - 1)
    return Check("document_number", (number, rest), Span(number.line, end - 1, end))
