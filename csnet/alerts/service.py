"""The feed of the day-one kinds: the newest items a member may read, restricted ones as headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from csnet.access import Caller, actor_of, ask
from csnet.handling.actors import MemberActor
from csnet.handling.roles import Action
from csnet.node import Node
from csnet.reading import audit_personal
from csnet.store import item_store
from csnet.store.item_store import StoredItem


@dataclass(frozen=True)
class FeedEntry:
    item: StoredItem
    restricted: bool  # personal data, shown only as a header until a justification is given


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    next_before: tuple[str, str] | None


def feed(
    node: Node,
    caller: Caller,
    kinds: Sequence[str],
    *,
    limit: int = 50,
    before: tuple[Any, str] | None = None,
) -> FeedPage:
    """Newest visible items of these kinds; unreadable ones are skipped, never hinted at."""
    entries: list[FeedEntry] = []
    cursor = before
    with node.store.read() as conn:
        actor = actor_of(node, caller.member, conn)  # once, not once per item
        while len(entries) < limit:
            batch = item_store.list_items(conn, kinds=kinds, before=cursor, limit=limit * 2)
            for held in batch:
                entry = _feed_entry(node, caller, held, actor)
                if entry is not None and len(entries) < limit:
                    entries.append(entry)
            if len(batch) < limit * 2:
                break
            last = batch[-1].envelope
            cursor = (last.created, last.id)
    audit_personal(node, caller, [e.item.envelope for e in entries if not e.restricted])
    last_env = entries[-1].item.envelope if len(entries) == limit else None
    next_before = (last_env.created.isoformat(), last_env.id) if last_env else None
    return FeedPage(entries, next_before)


def _feed_entry(
    node: Node, caller: Caller, held: StoredItem, actor: MemberActor
) -> FeedEntry | None:
    decision = ask(node, caller, Action.READ, held.envelope, actor=actor)
    if decision.allowed:
        return FeedEntry(held, restricted=False)
    if decision.needs_justification:
        return FeedEntry(held, restricted=True)
    return None
