"""The one feed engine: pages of the items a member may see, newest first, filtered through the
projection's indexes (csnet/feed/index.py). Policy is asked with one actor per page, so a page
costs a few queries however many rows it reads; unreadable items are skipped and never hinted
at, items with personal data appear as headers until opened with a justification, and items
shown whole with personal data are audited as consultations (LED Art 25)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from csnet.access import Caller, actor_of
from csnet.feed.facts import FEED_KINDS
from csnet.feed.filters import NO_FILTERS, FeedFilters
from csnet.feed.index import FeedRow, Key, Scope, newest
from csnet.handling.actors import MemberActor
from csnet.handling.policy import Context, decide
from csnet.handling.roles import Action
from csnet.items.facts import item_facts
from csnet.node import Node
from csnet.reading import audit_consultation
from csnet.store.item_store import StoredItem

MAX_SCAN = 2000  # rows read per page at most; the pager goes on from the last one read
BATCH = 1000  # rows per query at most; reads start at a page and grow (most pages fill at once)


@dataclass(frozen=True)
class Seen:
    item: StoredItem
    restricted: bool  # personal data: a header only, opened with a justification


class Reader:
    """Visibility for one caller, with the actor built once (why: building it reads the node's
    groups, which would be a query per row)."""

    def __init__(self, actor: MemberActor, ctx: Context) -> None:
        self.actor = actor
        self.ctx = ctx

    @classmethod
    def of(cls, node: Node, caller: Caller, conn: Connection | None = None) -> Reader:
        ctx = Context(justification=caller.justification, today=node.now().date())
        return cls(actor_of(node, caller.member, conn), ctx)

    def see(self, held: StoredItem) -> Seen | None:
        decision = decide(self.actor, Action.READ, item_facts(held.envelope), self.ctx)
        if decision.allowed:
            return Seen(held, restricted=False)
        if decision.needs_justification:
            return Seen(held, restricted=True)
        return None


@dataclass(frozen=True)
class FeedPage:
    entries: list[Seen]
    next_before: Key | None  # where the "Older" page starts; None: nothing older
    bounded: bool  # the read stopped at MAX_SCAN rows before the page was full


def read_page(
    node: Node,
    caller: Caller,
    filters: FeedFilters = NO_FILTERS,
    *,
    kinds: Sequence[str] = FEED_KINDS,
    before: Key | None = None,
    limit: int = 50,
    max_scan: int = MAX_SCAN,
    via: str | None = None,
) -> FeedPage:
    """The newest visible items of these kinds passing the filters, older than `before`; the
    items shown whole with personal data are audited (`via`: the page that showed them)."""
    scope = Scope(filters, tuple(kinds))
    with node.store.read() as conn:
        page = scan(conn, Reader.of(node, caller, conn), scope, before, limit, max_scan)
    shown = [s.item.envelope for s in page.entries if not s.restricted]
    audit_consultation(node, caller, [e for e in shown if e.markings.subjects], via)
    return page


def visible(reader: Reader, row: FeedRow, filters: FeedFilters) -> Seen | None:
    seen = reader.see(row.stored())
    if seen is None or (seen.restricted and filters.on_body):
        return None  # a body filter never matches a header: matching would reveal the body
    return seen


def scan(
    conn: Connection, reader: Reader, scope: Scope, before: Key | None, limit: int, max_scan: int
) -> FeedPage:
    """Read the scope newest first until the page is full, the rows run out or `max_scan` rows
    were read (then the page says where it stopped, and the next one goes on from there)."""
    entries: list[Seen] = []
    cursor, scanned, step = before, 0, limit
    while scanned < max_scan:
        size, step = min(step, max_scan - scanned), min(4 * step, BATCH)
        window = newest(conn, scope, cursor, size)
        scanned += window.read
        for row in window.rows:
            seen = visible(reader, row, scope.filters)
            if seen is not None:
                entries.append(seen)
                if len(entries) == limit:
                    return FeedPage(entries, row.key, False)
        if window.read < size:
            return FeedPage(entries, None, False)
        cursor = window.last
    return FeedPage(entries, cursor, True)
