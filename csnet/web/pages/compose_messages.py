"""Plain-word messages for what the body models refuse, keyed by the form field to show them at.

Never the typed value (it may be personal data): only what is expected.
"""

from __future__ import annotations

from csnet.web.pages.i18n import gettext as _


def _field_messages() -> dict[str, str]:
    return {
        "title": _("Give a title (up to 200 characters)."),
        "text": _("Write the text (up to 20,000 characters)."),
        "urgency": _("Choose an urgency."),
        "topic": _("Choose a topic."),
        "tags": _("Up to 32 tags, each up to 64 characters, separated by commas."),
        "route": _("A route is at most 100 characters."),
        "place": _("The place needs a name (up to 200 characters) and valid coordinates."),
        "valid_until": _("Give a date and time, e.g. 2026-05-01 18:00 (UTC)."),
        "persons": _("At most 100 persons per item."),
        "evidence": _("At most 20 evidence files per item."),
    }


def _person_messages() -> dict[str, str]:
    return {
        "name": _("Give the person's name (up to 300 characters)."),
        "category": _("Choose the person's category."),
        "nationality": _("Nationality is a 2- or 3-letter country code, e.g. SY or SYR."),
        "year_of_birth": _("Year of birth is a year between 1900 and 2100."),
    }


def _evidence_messages() -> dict[str, str]:
    return {
        "name": _("Give the file name (up to 200 characters)."),
        "sha256": _("The SHA-256 is 64 hexadecimal characters (0-9, a-f)."),
        "description": _("The description is at most 500 characters."),
    }


def character_message() -> str:
    """For text holding a NUL or another control character, or in a title, tag or name a line
    break or a bidirectional control (csnet/safe_text.py)."""
    return _(
        "Remove the control character (such as ESC, a line break in a title, NUL or "
        "a bidirectional control character such as U+202E): it is not accepted here."
    )


def body_message(loc: str, person_rows: list[int], evidence_rows: list[int]) -> tuple[str, str]:
    """The form field a body error belongs to, and what to tell the member."""
    parts = loc.split(".")
    head = parts[0]
    if head in ("persons", "evidence") and len(parts) >= 2 and parts[1].isdigit():
        rows = person_rows if head == "persons" else evidence_rows
        index = int(parts[1])
        row = rows[index] if index < len(rows) else index
        prefix = "person" if head == "persons" else "evidence"
        messages = _person_messages() if head == "persons" else _evidence_messages()
        name = parts[2] if len(parts) > 2 and parts[2] in messages else next(iter(messages))
        return f"{prefix}-{row}-{name}", messages[name]
    if head == "place" and parts[-1] == "name":
        return "place_name", _field_messages()["place"]
    messages = _field_messages()
    return (head, messages[head]) if head in messages else ("form", _("Some values are not valid."))
