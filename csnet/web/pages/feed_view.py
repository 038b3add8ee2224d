"""Feed entries as the templates show them: items (whole or as a header) and live hits, with the
names of origin nodes and local authors looked up once per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csnet.alerts.names import Names
from csnet.correlation.hits import HitView
from csnet.feed.engine import Seen

EXCERPT = 280


@dataclass(frozen=True)
class Row:
    """One `<li>` of the feed."""

    dom_id: str
    kind: str
    created: datetime
    origin: str
    origin_name: str
    restricted: bool = False
    item_id: str = ""
    tlp: str = ""
    author: str = ""
    title: str = ""
    text: str = ""
    urgency: str = ""
    tags: tuple[str, ...] = ()
    route: str = ""
    place: str = ""
    topic: str = ""
    ack_state: str = ""
    parent_id: str = ""
    is_new: bool = False
    other_id: str = ""  # hits: the earlier item holding the same value
    other_origin_name: str = ""
    value_type: str = ""
    hit_purpose: str = ""

    @property
    def short_id(self) -> str:
        return self.item_id[:12]

    @property
    def is_flash(self) -> bool:
        return self.urgency == "FLASH"


def _excerpt(text: Any) -> str:
    value = str(text or "")
    return value if len(value) <= EXCERPT else value[: EXCERPT - 1].rstrip() + "…"


def item_row(seen: Seen, names: Names, since: datetime | None) -> Row:
    """`since`: entries created after it are new to the member (None: all are, as live ones)."""
    env = seen.item.envelope
    head: dict[str, Any] = {
        "dom_id": f"entry-{env.id}",
        "kind": env.kind,
        "created": env.created,
        "origin": env.origin,
        "origin_name": names.node(env.origin),
        "item_id": env.id,
        "tlp": env.markings.tlp.value,
        "is_new": since is None or env.created > since,
        "parent_id": env.replies_to or env.refers_to or "",
    }
    if seen.restricted:
        return Row(restricted=True, **head)
    body = env.body
    place = body.get("place")
    return Row(
        author=names.author(env.author),
        title=str(body.get("title") or ""),
        text=_excerpt(body.get("text") or body.get("comment")),
        urgency=str(body.get("urgency") or ""),
        tags=tuple(str(t) for t in body.get("tags") or ()),
        route=str(body.get("route") or ""),
        place=str(place.get("name") or "") if isinstance(place, dict) else "",
        topic=str(body.get("topic") or ""),
        ack_state=str(body.get("state") or "") if env.kind == "ack" else "",
        **head,
    )


def hit_row(hit: HitView, names: Names) -> Row:
    return Row(
        dom_id=f"entry-hit-{hit.item_id[:16]}-{hit.other_id[:16]}-{hit.value_type}",
        kind="hit",
        created=hit.created,
        origin=hit.origin,
        origin_name=names.node(hit.origin),
        restricted=hit.restricted,
        item_id=hit.item_id,
        title=hit.display or "",
        text=hit.reason,
        other_id=hit.other_id,
        other_origin_name=names.node(hit.other_origin),
        value_type=hit.value_type,
        hit_purpose=str(hit.purpose),
        is_new=True,
    )
