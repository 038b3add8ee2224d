"""What the feed filters an item by, read from its body; pure (no I/O), shared by the projection
that stores the facts and by the filters that compare against them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csnet.items.envelope import Envelope

FEED_KINDS = ("alert", "note", "reply", "ack", "document_fraud")


def fold(text: str) -> str:
    """Tags and routes match whatever their case (a member types "boat" for "Boat")."""
    return text.casefold()


@dataclass(frozen=True)
class FeedFacts:
    item_id: str
    kind: str
    origin: str
    created: datetime
    urgency: str | None
    route: str | None  # folded
    place: str | None
    tags: frozenset[str]  # folded

    def row(self) -> dict[str, object]:
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "origin": self.origin,
            "created": self.created,
            "urgency": self.urgency,
            "route": self.route,
            "place": self.place,
        }

    def tag_rows(self) -> list[dict[str, object]]:
        return [
            {"item_id": self.item_id, "tag": tag, "created": self.created}
            for tag in sorted(self.tags)
        ]


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _place(body: Mapping[str, Any]) -> str | None:
    place = body.get("place")
    return _text(place, "name") if isinstance(place, Mapping) else None


def _tags(body: Mapping[str, Any]) -> frozenset[str]:
    tags = body.get("tags")
    if not isinstance(tags, list | tuple):
        return frozenset()
    return frozenset(fold(t) for t in tags if isinstance(t, str) and t.strip())


def feed_facts(env: Envelope) -> FeedFacts | None:
    """The item's feed facts, or None: not a kind the feed lists."""
    if env.kind not in FEED_KINDS:
        return None
    body = env.body
    route = _text(body, "route")
    return FeedFacts(
        item_id=env.id,
        kind=env.kind,
        origin=env.origin,
        created=env.created,
        urgency=_text(body, "urgency"),
        route=None if route is None else fold(route),
        place=_place(body),
        tags=_tags(body),
    )
