"""From pasted or typed text to the lines of a zone: tolerant of case, spaces and line breaks.

Officers paste what a reader or an OCR app gave them: lower case, spaces inside lines, lines run
together or broken in two, blank lines, a guillemet or a stray character for the filler. The
characters are what counts: 90 make a TD1 zone, 72 a TD2 or MRV-B, 88 a TD3 or MRV-A.
"""

from __future__ import annotations

import re

from csnet.mrz.layouts import LAYOUTS, Layout, layouts_for

_FILLERS = str.maketrans({"«": "<<", "‹": "<", "＜": "<", "≤": "<"})
_SPACE = re.compile(r"[ \t\u00a0]+")
MAX_INPUT = 2000  # why: an MRZ is at most 90 characters; a page of text is not one


def split_lines(text: str) -> list[str]:
    """The zone's non-empty lines, upper-cased, fillers made `<` and inner spaces removed."""
    cleaned = text.translate(_FILLERS).upper()
    return [_SPACE.sub("", line) for line in cleaned.splitlines() if _SPACE.sub("", line)]


def fit(lines: list[str]) -> tuple[list[str], list[Layout]] | None:
    """The lines cut to a layout's shape, with the layouts of that shape; None if no shape fits.

    Lines already of one layout's width are kept; otherwise the characters are joined and cut
    again, which mends lines run together or broken in two."""
    if not lines:
        return None
    widths = {len(line) for line in lines}
    if len(widths) == 1:
        same = layouts_for(len(lines), widths.pop())
        if same:
            return lines, same
    joined = "".join(lines)
    for layout in LAYOUTS:
        if len(joined) == layout.lines * layout.width:
            cut = [joined[i : i + layout.width] for i in range(0, len(joined), layout.width)]
            return cut, layouts_for(layout.lines, layout.width)
    return None


def shapes() -> str:
    return "3 lines of 30 (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)"
