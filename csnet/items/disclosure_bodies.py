"""Bodies of the two disclosure kinds: the follow-up of a hit (Europol Reg Art 20(2)).

A `disclosure_request` goes from the asking node to the node that holds a value; the holder's
`disclosure` answers it (refers_to = the request). Only the provider releases data: on approval
the answer copies one of the holder's own items, and the envelope carries that item's markings
and grading verbatim (csnet/correlation/disclosures.py). The value is checked against the
indicators registry by the service that opens the request, not here: a type a newer peer knows
must not make this node refuse the item.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from csnet.items.bodies import Body, Persons
from csnet.items.fields import ItemId, KindName, Line, LongText, Text, Title

Reason = Annotated[Text, Field(min_length=1, max_length=4000, pattern=r"\S")]


class DisclosureRequest(Body):
    """Ask the holder of a value (typically after a PSI hit) to release what it holds."""

    value_type: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")  # indicators registry name
    value: Line = Field(min_length=1, max_length=600, pattern=r"\S")  # canonical value
    justification: Reason


class DisclosureDecision(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


class Disclosure(Body):
    """The holder's answer. Approved: the disclosed item's id, kind, title, text and persons
    (so the data-subject declarations of the markings still hold), and for an `indicator` item
    the value it states (`value_type`, `value`: its text is only where it was seen); declined:
    the reason only. The asker checks that the answer holds the value it asked about."""

    decision: DisclosureDecision
    reason: Reason
    item: ItemId | None = None
    item_kind: KindName | None = None
    title: Title | None = None
    text: LongText | None = None
    persons: Persons = ()
    value_type: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,31}$")
    value: Line | None = Field(default=None, min_length=1, max_length=600)

    @model_validator(mode="after")
    def _content_matches_decision(self) -> Self:
        content = (self.item, self.item_kind, self.title, self.text, self.value_type, self.value)
        if self.decision is DisclosureDecision.APPROVED:
            if self.item is None or self.item_kind is None or self.text is None:
                raise ValueError("an approval carries the disclosed item, its kind and text")
            if (self.value_type is None) != (self.value is None):
                raise ValueError("an approval states both value_type and value, or neither")
        elif any(part is not None for part in content) or self.persons:
            raise ValueError("a decline carries no disclosed content")
        return self
