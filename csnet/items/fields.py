"""Field types shared by the envelope and the bodies, each with exactly one wire spelling."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, StringConstraints

from csnet.items.keys import NODE_ID_PATTERN
from csnet.safe_text import MultiLine, OneLine, multi_line, one_line


def to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def format_utc(value: datetime) -> str:
    """RFC 3339 in UTC with 'Z'; microseconds only when present, then always six digits."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


UtcDatetime = Annotated[
    AwareDatetime,  # naive times are refused: a time without a zone is ambiguous across nodes
    AfterValidator(to_utc),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]
ItemId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$", strict=True)]
NodeId = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN, strict=True)]
KindName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$", strict=True)]
Signature = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{86}$", strict=True)]
MemberId = Annotated[str, StringConstraints(min_length=1, max_length=128, strict=True)]
GroupId = Annotated[str, StringConstraints(min_length=1, max_length=128, strict=True)]
# Short free text is one line (NUL and bidi controls refused), longer text is multi-line (NUL
# refused): csnet/safe_text.py holds the one rule for both.
# The length comes before the character rule, so that a long value is told its length in
# characters (after the rule's validator pydantic would count "items").
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(one_line)]
# why: a title or text of blanks only says nothing; `pattern` searches, so r"\S" means "not blank"
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S"), AfterValidator(one_line)]
LongText = Annotated[
    str, Field(min_length=1, max_length=20000, pattern=r"\S"), AfterValidator(multi_line)
]
Line = OneLine
Text = MultiLine
