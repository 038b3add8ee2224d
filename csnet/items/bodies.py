"""Bodies of the day-one kinds: strict, closed (extra="forbid") and bounded everywhere.

Bodies are validated from their JSON text (see kinds.validate_body), so strict mode still accepts
enum values and RFC 3339 times as strings, while refusing "1" for a number or true for a float.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from csnet.handling.categories import PersonalDatum
from csnet.items.fields import Line, LongText, Tag, Text, Title, UtcDatetime
from csnet.items.keys import NODE_ID_PATTERN

MAX_TAGS = 32
MAX_PERSONS = 100
MAX_EVIDENCE = 20

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


class EvidenceRef(Body):
    """A file kept as evidence at the author's node: only its name and SHA-256 travel, so any
    holder can later check that the file produced is the one referred to."""

    name: Line = Field(min_length=1, max_length=200, pattern=r"\S")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    description: Text | None = Field(default=None, min_length=1, max_length=500)


# why: default empty, and bodies are sealed without defaults, so items without evidence keep
# exactly the bytes (and ids) they had before this field existed
Evidence = Annotated[tuple[EvidenceRef, ...], Field(max_length=MAX_EVIDENCE)]


class Alert(Body):
    title: Title
    text: LongText
    urgency: Urgency
    place: Place | None = None
    valid_until: UtcDatetime | None = None
    tags: Tags = ()
    route: Line | None = Field(default=None, min_length=1, max_length=100)
    persons: Persons = ()
    evidence: Evidence = ()


class Note(Body):
    """Tactics and modus operandi (Smuggling Protocol Art 10(1))."""

    title: Title
    text: LongText
    topic: Topic
    tags: Tags = ()
    persons: Persons = ()
    evidence: Evidence = ()


class Reply(Body):
    text: LongText


class Ack(Body):
    state: AckState
    at: UtcDatetime
    comment: Text | None = Field(default=None, min_length=1, max_length=2000)


class Tombstone(Body):
    """A signed erasure (LED Art 7(3), Art 16) of the item in `refers_to`."""

    reason: Text = Field(min_length=1, max_length=2000, pattern=r"\S")
    legal_basis: Line | None = Field(default=None, min_length=1, max_length=200)  # "LED Art 16"


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


MAX_CONSENT_NODES = 1024
MAX_CONSENT_GROUPS = 256


class RelayConsent(Body):
    """The originator's consent (Europol H2) to pass one of its items on, issued only by the
    item's origin node (federation/consent.py).

    Holders of `item` may pass it to the nodes named and to members of the groups named; the
    markings still apply on top. Each consent states the whole permission for the item, so the
    newest one (highest seq at the origin) replaces the earlier; empty lists withdraw it.
    """

    item: str = Field(pattern=r"^[0-9a-f]{64}$")
    relay_to_nodes: tuple[str, ...] = Field(default=(), max_length=MAX_CONSENT_NODES)
    relay_to_groups: tuple[str, ...] = Field(default=(), max_length=MAX_CONSENT_GROUPS)
    expires: UtcDatetime | None = None
    purpose: Text = Field(min_length=1, max_length=2000, pattern=r"\S")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for names in (self.relay_to_nodes, self.relay_to_groups):
            if tuple(sorted(set(names))) != names:
                raise ValueError("relay_to_nodes and relay_to_groups are sorted and distinct")
        if not all(re.fullmatch(NODE_ID_PATTERN, n) for n in self.relay_to_nodes):
            raise ValueError("relay_to_nodes holds node ids")
        if not all(re.fullmatch(GROUP_ID_PATTERN, g) for g in self.relay_to_groups):
            raise ValueError("relay_to_groups holds sharing-group ids")
        return self
