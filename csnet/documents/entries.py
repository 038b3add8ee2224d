"""One register entry, as given and as stored: pure rules (no I/O), shared by the service, the
CSV import and the front-ends.

A document is the canonical `document` identifier (STATE:TYPE:NUMBER, through the indicators
registry). "Bad check digit" for a register entry means: a check digit given beside the number
that is not the number's 7-3-1 digit, or a passport or visa number of ten characters whose
tenth is not the check digit of the nine before it (a TD3 or MRV number field holds nine
characters; a tenth is the check digit copied with it, and when it is right it is dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from csnet import mrz, safe_text
from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import InvalidIdentifier

STATUSES = ("stolen", "lost", "revoked", "stolen_blank")
MAX_AUTHORITY = 200
MAX_NOTE = 2000
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class NewEntry:
    """What is added: the canonical document and what the reporting authority said of it."""

    document: str
    status: str
    reported: date | None
    authority: str
    note: str = ""


@dataclass(frozen=True)
class Entry:
    """A stored entry, with who added it and when."""

    id: int
    document: str
    status: str
    reported: date | None
    authority: str
    note: str
    added_by: str
    added_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "status": self.status,
            "reported": self.reported.isoformat() if self.reported else None,
            "authority": self.authority,
            "note": self.note,
            "added_by": self.added_by,
            "added_at": self.added_at.isoformat(),
        }


def document_of(state: str, doc_type: str, number: str, check: str = "") -> str:
    """The canonical document; InvalidIdentifier (a BadInput) with the reason if it is not one."""
    if not state.strip() or not doc_type.strip() or not number.strip():
        raise InvalidIdentifier("state, type and number are all needed")
    if ":" in state + doc_type + number:
        raise InvalidIdentifier("state, type and number may not hold ':'")
    value = registry.parse("document", f"{state.strip()}:{doc_type.strip()}:{number.strip()}")
    if check.strip():
        _check_digit(value.value.split(":")[2], check.strip())
    return nine_characters(value.value)


def document_from_text(text: str) -> str:
    """A document written any way the `document` type reads (PAK:P:AB1234567, "PAK P …")."""
    return nine_characters(registry.parse("document", text).value)


def nine_characters(document: str) -> str:
    """A passport or visa number of ten characters is refused: its tenth is a wrong check digit
    (a right one was dropped by the `document` type)."""
    _state, kind, number = document.split(":")
    if kind[:1] in ("P", "V") and len(number) == 10:
        raise InvalidIdentifier(
            f"bad check digit: a {kind} number has nine characters, and the tenth of "
            f"{number!r} is not the check digit of the nine before it"
        )
    return document


def _check_digit(number: str, given: str) -> None:
    expected = mrz.check_digit(number)
    if given != expected:
        raise InvalidIdentifier(
            f"bad check digit: {given!r} given, the check digit of {number!r} is {expected}"
        )


def status_of(text: str) -> str:
    status = _SEPARATORS.sub("_", text.strip().lower())
    if status not in STATUSES:
        raise BadInput(f"status {text!r} is not one of {', '.join(STATUSES)}")
    return status


def reported_of(text: str, today: date) -> date | None:
    """An ISO date (YYYY-MM-DD) or nothing; never a guess between day-month and month-day."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"reported date {text!r} is not YYYY-MM-DD") from None
    if day > today:
        raise BadInput(f"reported date {day.isoformat()} is in the future")
    return day


def words(text: str, what: str, limit: int) -> str:
    """A line of free text (authority, note): printable, within its limit."""
    clean = " ".join(text.split())
    if len(clean) > limit:
        raise BadInput(f"{what} is longer than {limit} characters")
    problem = safe_text.text_problem(clean)
    if problem is not None:
        raise BadInput(f"{what}: {problem}")
    return clean


def new_entry(
    document: str, status: str, reported: str, authority: str, note: str, today: date
) -> NewEntry:
    """An entry from its fields as typed; BadInput naming the first field that is wrong."""
    who = words(authority, "authority", MAX_AUTHORITY)
    if not who:
        raise BadInput("the reporting authority is needed")
    return NewEntry(
        document,
        status_of(status),
        reported_of(reported, today),
        who,
        words(note, "note", MAX_NOTE),
    )
