"""The one rule for characters in text people type: what the API, the forms and peers all obey.

NUL is refused everywhere: no text column takes it (PostgreSQL refuses it outright) and no
legitimate text holds one. Bidirectional controls (overrides, embeddings, isolates, direction
marks) are refused in one-line fields (titles, tags, names, group and token names): there they
can make a title or a name display as something else than it is ("Trojan Source"), and a
one-line field never needs them. Multi-line text (an alert's text, a reply, a comment) keeps
them, since writers of Arabic or Hebrew mixed with Latin script use them; pages show every
user text inside its own bidi isolate (dir="auto"), so a control can never reorder anything
outside that text. docs/api.md and docs/web.md say the same.

Control characters (C0, DEL, C1) are refused too: printed by a terminal they move the cursor,
clear the screen or fake table rows (ESC, BEL, CSI U+009B). One-line fields refuse every one,
newline and tab included; multi-line text keeps only TAB, LF and CR.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from csnet.errors import BadInput

NUL = "\x00"
# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
NUL_MESSAGE = "NUL characters are not accepted"
BIDI_MESSAGE = "bidirectional control character"
CONTROL_MESSAGE = "control character"
# Unicode category Cc: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F)
LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps TAB LF CR


def _control_problem(value: str, controls: re.Pattern[str], where: str) -> str | None:
    found = controls.search(value)
    if found is None:
        return None
    return f"{CONTROL_MESSAGE} U+{ord(found.group()):04X} is not accepted in {where}"


def line_problem(value: str) -> str | None:
    """Why `value` cannot be a one-line field (a title, tag or name), or None when it can."""
    if NUL in value:
        return NUL_MESSAGE
    control = _control_problem(value, LINE_CONTROLS, "a title, tag or name")
    if control is not None:
        return control
    found = next((c for c in value if c in BIDI_CONTROLS), None)
    if found is not None:
        return (
            f"{BIDI_MESSAGE} U+{ord(found):04X} is not accepted in a title, "
            "tag or name: it can make the text display as something else"
        )
    return None


def text_problem(value: str) -> str | None:
    """Why `value` cannot be multi-line text, or None when it can."""
    if NUL in value:
        return NUL_MESSAGE
    return _control_problem(value, TEXT_CONTROLS, "text (only tab and line breaks are)")


def refused_character(message: str) -> bool:
    """Whether a validation message is one of this module's refusals."""
    # why: BIDI_MESSAGE contains CONTROL_MESSAGE, so one test covers both
    return NUL_MESSAGE in message or CONTROL_MESSAGE in message


def one_line(value: str) -> str:
    """Pydantic validator for one-line fields (ValueError: pydantic reports it as a 422)."""
    problem = line_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def multi_line(value: str) -> str:
    """Pydantic validator for multi-line text."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def require_line(value: str, field: str, code: str = "invalid_input") -> str:
    """`value` itself, or BadInput naming `field`, for code that validates without pydantic."""
    problem = line_problem(value)
    if problem is not None:
        raise BadInput(f"{field}: {problem}", code=code, details={field: "invalid"})
    return value


OneLine = Annotated[str, AfterValidator(one_line)]
MultiLine = Annotated[str, AfterValidator(multi_line)]
