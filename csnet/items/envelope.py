"""The signed item envelope and the draft a service fills in before sealing.

The wire form is `Envelope.to_wire()`: exactly the dict that is canonicalised and hashed (without
"id" and "sig"). Every field has one spelling there (times in UTC with "Z", sorted audiences), so
an envelope parsed from any equivalent JSON re-serialises to the bytes its id was computed over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from csnet.handling.grading import Grading
from csnet.handling.markings import Markings
from csnet.items.canonical import SAFE_INT, canonical_json
from csnet.items.fields import GroupId, ItemId, KindName, MemberId, NodeId, Signature, UtcDatetime

UNSIGNED_EXCLUDE = frozenset({"id", "sig"})
MAX_AUDIENCE_NODES = 1024
MAX_AUDIENCE_GROUPS = 256
MAX_AUDIENCE_MEMBERS = 256


class Audience(BaseModel):
    """Who an item is addressed to: node ids, sharing groups and members of the originating node
    (for TLP:RED), each sorted and deduplicated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nodes: tuple[NodeId, ...] = Field(default=(), max_length=MAX_AUDIENCE_NODES)
    groups: tuple[GroupId, ...] = Field(default=(), max_length=MAX_AUDIENCE_GROUPS)
    members: tuple[MemberId, ...] = Field(default=(), max_length=MAX_AUDIENCE_MEMBERS)

    @field_validator("nodes", "groups", "members")
    @classmethod
    def _sorted(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    @model_serializer(mode="wrap")
    def _without_empty_members(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # why: "members" came later; left out when empty, every older item keeps its bytes and id
        data: dict[str, Any] = handler(self)
        if not self.members:
            data.pop("members", None)
        return data


class ItemFields(BaseModel):
    """The fields a draft and an envelope share: what is said, to whom, under which markings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: KindName
    author: MemberId
    audience: Audience = Audience()
    markings: Markings = Markings()
    grading: Grading | None = None
    supersedes: ItemId | None = None
    replies_to: ItemId | None = None
    refers_to: ItemId | None = None
    body: dict[str, Any]


class ItemDraft(ItemFields):
    """An item before the node adds origin, seq, created time, id and signature."""


class Envelope(ItemFields):
    """A sealed item. Construct only through `seal` or `verify_envelope` (or trusted storage)."""

    id: ItemId
    origin: NodeId
    seq: int = Field(ge=1, le=SAFE_INT, strict=True)
    created: UtcDatetime
    sig: Signature

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict that travels and is stored."""
        return self.model_dump(mode="json")

    def unsigned_wire(self) -> dict[str, Any]:
        """The wire dict without "id" and "sig": what the id is the hash of."""
        return self.model_dump(mode="json", exclude=set(UNSIGNED_EXCLUDE))

    _signed_bytes: bytes | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # why: equal content is equal, whether or not the canonical bytes were cached yet
        if not isinstance(other, Envelope):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # the body is a dict: envelopes are not hashable

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._signed_bytes = None  # changed content: the cached bytes no longer apply
        return copy

    def with_bytes(self, signed: bytes) -> Envelope:
        """Remember the canonical bytes already computed while sealing (they are costly)."""
        # why: straight into pydantic's private store; the frozen-model setattr path is slow
        self.__pydantic_private__["_signed_bytes"] = signed  # type: ignore[index]
        return self

    def to_bytes(self) -> bytes:
        """The canonical (RFC 8785) bytes of the wire form, signature included."""
        if self._signed_bytes is None:
            self._signed_bytes = canonical_json(self.to_wire())
        return self._signed_bytes

    @classmethod
    def from_signed_bytes(cls, data: bytes) -> Envelope:
        """Parse canonical bytes WITHOUT verifying them: only for bytes already verified (or
        read back from our own store); they are kept as the item's bytes, unchanged."""
        return cls.model_validate_json(data).with_bytes(data)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Envelope:
        """Parse a wire dict WITHOUT verifying it: only for items read back from our own store."""
        return cls.model_validate(data)
