"""A member's live feed: each bus event becomes the item it names, as this member may see it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from csnet.access import Caller, ask
from csnet.accounts.members import Member
from csnet.bus import Event, Gap, Subscription
from csnet.bus.interface import HIT, ITEM
from csnet.correlation.hits import HitView, live_view
from csnet.handling.roles import Action
from csnet.node import Node
from csnet.store import item_store
from csnet.store.item_store import StoredItem

HEARTBEAT_SECONDS = 15.0


@dataclass(frozen=True)
class LiveItem:
    seq: int
    item: StoredItem
    restricted: bool  # personal data: header only, open it with a justification


@dataclass(frozen=True)
class LiveHit:
    seq: int
    hit: HitView  # only if the member may see both items (correlation/rule.py)


def view(node: Node, member: Member, event: Event) -> LiveItem | LiveHit | None:
    """What the event names as this member may see it, or None: not this member's to see."""
    if event.kind == HIT:
        hit = live_view(node, member, event)
        return None if hit is None else LiveHit(event.seq, hit)
    if event.kind != ITEM:
        return None  # kinds this node does not know yet are not members' business
    return _item(node, member, event)


def _item(node: Node, member: Member, event: Event) -> LiveItem | None:
    """The event's item whole, as a header (personal data), or None: not this member's to see."""
    with node.store.read() as conn:
        held = item_store.get_item(conn, event.item_id)
    if held is None or held.tombstoned:
        return None
    # No justification on a stream: it is not a consultation, so personal data goes out as a
    # header only; opening the item with a justification is the audited consultation (LED Art 25).
    decision = ask(node, Caller(member), Action.READ, held.envelope)
    if decision.allowed:
        return LiveItem(event.seq, held, restricted=False)
    if decision.needs_justification:
        return LiveItem(event.seq, held, restricted=True)
    return None


async def updates(
    node: Node,
    member: Member,
    sub: Subscription,
    *,
    seconds: float,
    heartbeat: float | None = None,
) -> AsyncGenerator[LiveItem | LiveHit | Gap | None]:
    """The member's items, hits and gaps for `seconds`; None after each `heartbeat` s of quiet."""
    beat = HEARTBEAT_SECONDS if heartbeat is None else heartbeat
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        got = await sub.get(timeout=min(left, beat))
        if got is None:
            if sub.ended or time.monotonic() >= until:
                return
            yield None
        elif isinstance(got, Gap):
            yield got
        else:
            # The store is synchronous: read it off the loop.
            seen = await asyncio.to_thread(view, node, member, got)
            if seen is not None:
                yield seen
