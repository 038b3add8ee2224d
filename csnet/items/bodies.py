"""Bodies of the day-one kinds: strict, closed (extra="forbid") and bounded everywhere.

Bodies are validated from their JSON text (see kinds.validate_body), so strict mode still accepts
enum values and RFC 3339 times as strings, while refusing "1" for a number or true for a float.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from csnet.handling.categories import PersonalDatum
from csnet.items.fields import LongText, Tag, Title, UtcDatetime

MAX_TAGS = 32
MAX_PERSONS = 100

# Frontex migratory routes, offered by UIs as suggestions; `route` itself stays free text.
FRONTEX_ROUTES: tuple[str, ...] = (
    "Western African",
    "Western Mediterranean",
    "Central Mediterranean",
    "Eastern Mediterranean",
    "Western Balkan",
    "Eastern Borders",
    "Circular Route Albania–Greece",
)

Tags = Annotated[tuple[Tag, ...], Field(max_length=MAX_TAGS)]
Persons = Annotated[tuple[PersonalDatum, ...], Field(max_length=MAX_PERSONS)]


class Body(BaseModel):
    """Base of every body model."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Urgency(StrEnum):
    """Message precedence, highest first."""

    FLASH = "FLASH"
    IMMEDIATE = "IMMEDIATE"
    PRIORITY = "PRIORITY"
    ROUTINE = "ROUTINE"


class Topic(StrEnum):
    MODUS_OPERANDI = "modus_operandi"
    CONCEALMENT = "concealment"
    DOCUMENTS = "documents"
    DIGITAL = "digital"
    FINANCIAL = "financial"
    ROUTES = "routes"
    PROTECTION = "protection"
    LEGAL = "legal"
    OTHER = "other"


class AckState(StrEnum):
    SEEN = "seen"
    ACTIONED = "actioned"


class Place(Body):
    """A named place, with both coordinates (WGS 84 degrees) or neither."""

    name: Title
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Alert(Body):
    title: Title
    text: LongText
    urgency: Urgency
    place: Place | None = None
    valid_until: UtcDatetime | None = None
    tags: Tags = ()
    route: str | None = Field(default=None, min_length=1, max_length=100)
    persons: Persons = ()


class Note(Body):
    """Tactics and modus operandi (Smuggling Protocol Art 10(1))."""

    title: Title
    text: LongText
    topic: Topic
    tags: Tags = ()
    persons: Persons = ()


class Reply(Body):
    text: LongText


class Ack(Body):
    state: AckState
    at: UtcDatetime
    comment: str | None = Field(default=None, min_length=1, max_length=2000)


class Tombstone(Body):
    """A signed erasure (LED Art 7(3), Art 16) of the item in `refers_to`."""

    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S")
    legal_basis: str | None = Field(default=None, min_length=1, max_length=200)  # "LED Art 16"


class GroupAction(StrEnum):
    CREATE = "create"
    ADD = "add"
    REMOVE = "remove"


GROUP_ID_PATTERN = r"^grp-[0-9a-f]{20}$"
MAX_GROUP_MEMBERS = 1024


class GroupChange(Body):
    """A signed membership change of a sharing group, issued only by the group's owner node.

    `members` is the whole membership after the change, so a receiver needs only the newest one;
    `created` (RFC 3339 text) and `name` with the origin make up `group_id` (federation/groups.py).
    """

    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    name: Title
    created: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
    action: GroupAction
    member: str | None = Field(default=None, min_length=1, max_length=40)
    members: tuple[str, ...] = Field(min_length=1, max_length=MAX_GROUP_MEMBERS)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if tuple(sorted(set(self.members))) != self.members:
            raise ValueError("members are sorted and distinct")
        if (self.member is None) != (self.action is GroupAction.CREATE):
            raise ValueError("add and remove name one member; create names none")
        if self.member is not None and (self.member in self.members) != (
            self.action is GroupAction.ADD
        ):
            raise ValueError("members must reflect the change")
        return self
