"""A member's live feed: each bus event becomes the item it names, as this member may see it.

The member's actor (with its node's sharing groups) is built once per stream and rebuilt only
when a membership item goes by or events were lost, so an event costs each subscriber one read
of the item and no policy query."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.bus import Event, Gap, Subscription
from csnet.bus.interface import HIT, ITEM
from csnet.correlation.hits import HitView, live_view
from csnet.federation.groups import GROUP_KIND
from csnet.feed.engine import Reader
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


class MemberView:
    """Bus events as one member may see them, for the length of one stream."""

    def __init__(self, node: Node, member: Member) -> None:
        self.node = node
        self.member = member
        self._reader: Reader | None = None

    def stale(self) -> None:
        """The node's groups may have changed: rebuild the actor before the next event."""
        self._reader = None

    @property
    def reader(self) -> Reader:
        if self._reader is not None and self._reader.ctx.today != self.node.now().date():
            self._reader = None  # a stream that outlives the day judges by the new day
        if self._reader is None:
            # No justification on a stream: it is not a consultation, so personal data goes out
            # as a header only; opening the item with one is the audited consultation (LED Art 25).
            self._reader = Reader.of(self.node, Caller(self.member))
        return self._reader

    def see(self, event: Event) -> LiveItem | LiveHit | None:
        """What the event names as this member may see it, or None: not this member's to see."""
        if event.kind == HIT:
            hit = live_view(self.node, self.member, event, self.reader.actor)
            return None if hit is None else LiveHit(event.seq, hit)
        if event.kind != ITEM:
            return None  # kinds this node does not know yet are not members' business
        if event.item_kind == GROUP_KIND:
            self.stale()  # why: announced after its commit, so the rebuilt actor sees the change
        return self._item(event)

    def _item(self, event: Event) -> LiveItem | None:
        with self.node.store.read() as conn:
            held = item_store.get_item(conn, event.item_id)
        if held is None or held.tombstoned:
            return None
        seen = self.reader.see(held)
        return None if seen is None else LiveItem(event.seq, seen.item, seen.restricted)


def view(node: Node, member: Member, event: Event) -> LiveItem | LiveHit | None:
    """One event on its own (a stream keeps a MemberView instead)."""
    return MemberView(node, member).see(event)


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
    member_view = MemberView(node, member)
    while (left := until - time.monotonic()) > 0:
        got = await sub.get(timeout=min(left, beat))
        if got is None:
            if sub.ended or time.monotonic() >= until:
                return
            yield None
        elif isinstance(got, Gap):
            member_view.stale()  # a lost event may have been a membership change
            yield got
        else:
            # The store is synchronous: read it off the loop.
            seen = await asyncio.to_thread(member_view.see, got)
            if seen is not None:
                yield seen
