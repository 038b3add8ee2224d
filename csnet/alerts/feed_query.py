"""The practitioner feed: filtered, keyset-paged, bounded scans of visible items (read marks are
in feed_marks.py). Policy is judged with one actor per request, so a page of items costs a
handful of queries however many rows it reads."""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Connection, Text, and_, cast, func, or_, select, true

from csnet.access import actor_of
from csnet.accounts.members import Member
from csnet.handling.policy import Context, decide
from csnet.handling.roles import Action
from csnet.items.envelope import Envelope
from csnet.items.facts import item_facts
from csnet.node import Node
from csnet.store.item_store import StoredItem
from csnet.store.tables import item_audience, items

FEED_KINDS = ("alert", "note", "reply", "ack")
MAX_SCAN = 2000  # rows read per request at most; the pager goes on from the last one read
BATCH = 1000  # rows per query at most; scans start small and grow (most pages fill at once)

Key = tuple[datetime, str]  # (created, id): the keyset of the feed


@dataclass(frozen=True)
class FeedFilters:
    """What a member narrows the feed to; empty strings count as no filter."""

    urgency: str = ""
    group: str = ""
    tag: str = ""
    route: str = ""
    origin: str = ""

    @property
    def active(self) -> bool:
        return any((self.urgency, self.group, self.tag, self.route, self.origin))

    @property
    def on_body(self) -> bool:
        return any((self.urgency, self.tag, self.route))

    def admits_header(self, env: Envelope) -> bool:
        if self.origin and env.origin != self.origin:
            return False
        return not self.group or self.group in env.audience.groups

    def admits(self, env: Envelope, restricted: bool) -> bool:
        """Body filters never match a restricted item: matching would reveal its content."""
        if not self.admits_header(env):
            return False
        if not self.on_body:
            return True
        return not restricted and _body_matches(self, env.body)

    @cached_property
    def needles(self) -> tuple[bytes, ...]:
        wanted = (self.urgency, self.tag) + ((self.route,) if self.route.isascii() else ())
        return tuple(json_text(w).lower() for w in wanted if w)

    def may_match(self, raw: bytes) -> bool:
        """A cheap necessary condition on the stored bytes (canonical JSON keeps text as UTF-8),
        so that only candidate rows are parsed."""
        lowered = raw.lower()
        return all(needle in lowered for needle in self.needles)

    def query(self) -> dict[str, str]:
        """The filters as query-string pairs (filters are not personal data)."""
        pairs = {
            "urgency": self.urgency,
            "group": self.group,
            "tag": self.tag,
            "route": self.route,
            "origin": self.origin,
        }
        return {k: v for k, v in pairs.items() if v}


def json_text(value: str) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _body_matches(filters: FeedFilters, body: dict[str, Any]) -> bool:
    if filters.urgency and body.get("urgency") != filters.urgency:
        return False
    tags = [str(t).casefold() for t in body.get("tags") or ()]
    if filters.tag and filters.tag.casefold() not in tags:
        return False
    route = str(body.get("route") or "")
    return not filters.route or route.casefold() == filters.route.casefold()


@dataclass(frozen=True)
class Seen:
    item: StoredItem
    restricted: bool  # personal data: a header only, opened with a justification


class Reader:
    """Visibility for one member, with the actor built once (why: `ask` reads the node's groups
    on every call, which is a query per row)."""

    def __init__(self, node: Node, member: Member) -> None:
        self.actor = actor_of(node, member)
        self.ctx = Context(today=node.now().date())

    def see(self, held: StoredItem) -> Seen | None:
        decision = decide(self.actor, Action.READ, item_facts(held.envelope), self.ctx)
        if decision.allowed:
            return Seen(held, restricted=False)
        if decision.needs_justification:
            return Seen(held, restricted=True)
        return None


@dataclass(frozen=True)
class FeedScan:
    entries: list[Seen]
    next_before: Key | None  # where the "Older" page starts; None: nothing older
    bounded: bool  # the scan stopped at MAX_SCAN rows before the page was full


def utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _after(before: Key | None) -> Any:
    """The keyset condition, with a plain range on `created` so the index seeks to it."""
    if before is None:
        return true()
    created, item_id = before
    return and_(items.c.created <= created, or_(items.c.created < created, items.c.id < item_id))


def window(
    conn: Connection, before: Key | None, size: int, since: datetime | None = None
) -> list[Key]:
    """The keys of the next `size` feed rows, newest first: one index walk per kind, merged
    (the newest `size` of all kinds are among the newest `size` of each). Bounded: no filter
    makes a query read further back than this."""
    per_kind = []
    for kind in FEED_KINDS:
        query = (
            select(items.c.created, items.c.id)
            .where(items.c.kind == kind, _after(before))
            .where(items.c.superseded_by.is_(None), items.c.tombstoned.is_(False))
            .where(true() if since is None else items.c.created > since)
            .order_by(items.c.created.desc(), items.c.id.desc())
            .limit(size)
        )
        per_kind.append([(utc(c), str(i)) for c, i in conn.execute(query)])
    merged = heapq.merge(*per_kind, reverse=True)
    return [key for _, key in zip(range(size), merged, strict=False)]


Row = tuple[Key, bytes, Any, Any]  # key, envelope bytes, superseded_by, received


def fetch(conn: Connection, keys: Sequence[Key], filters: FeedFilters) -> list[Row]:
    """The rows of these keys that pass the origin and group filters (in SQL), newest first."""
    query = select(
        items.c.created, items.c.id, items.c.envelope, items.c.superseded_by, items.c.received
    ).where(items.c.id.in_([item_id for _, item_id in keys]))
    # why: both conditions are checked per candidate row (at most one window), so the query
    # stays on the primary key instead of walking an origin's or a group's whole index
    if filters.origin:
        query = query.where(items.c.origin.concat("") == filters.origin)
    if filters.group:
        audience = item_audience.c
        query = query.where(
            select(audience.item_id)
            .where(audience.item_id == items.c.id, audience.target == f"group:{filters.group}")
            .exists()
        )
    for needle in filters.needles:
        # why: a necessary condition checked where the rows are, so only candidates travel
        query = query.where(_envelope_text(conn).contains(needle.decode(), autoescape=True))
    found = [((utc(r[0]), str(r[1])), bytes(r[2]), r[3], r[4]) for r in conn.execute(query)]
    return sorted(found, key=lambda r: r[0], reverse=True)


def _envelope_text(conn: Connection) -> ColumnElement[str]:
    """The signed envelope (UTF-8 bytes) as lower-cased text, in the dialect's own words."""
    if conn.dialect.name == "postgresql":
        return func.lower(func.convert_from(items.c.envelope, "UTF8"))
    return func.lower(cast(items.c.envelope, Text))


def stored(raw: bytes, superseded_by: Any, received: Any) -> StoredItem:
    return StoredItem(Envelope.model_validate_json(raw), raw, superseded_by, False, utc(received))


def scan(
    node: Node,
    member: Member,
    filters: FeedFilters,
    *,
    before: Key | None = None,
    limit: int = 50,
    max_scan: int = MAX_SCAN,
) -> FeedScan:
    """Newest visible feed items passing the filters; unreadable ones skipped, never hinted at."""
    reader = Reader(node, member)
    entries: list[Seen] = []
    cursor, scanned, exhausted, step = before, 0, False, 2 * limit
    with node.store.read() as conn:
        while len(entries) < limit and scanned < max_scan and not exhausted:
            size, step = min(step, max_scan - scanned), min(4 * step, BATCH)
            keys = window(conn, cursor, size)
            exhausted, scanned = len(keys) < size, scanned + len(keys)
            for _, raw, superseded_by, received in fetch(conn, keys, filters):
                if filters.on_body and not filters.may_match(raw):
                    continue
                seen = reader.see(stored(raw, superseded_by, received))
                if seen is not None and filters.admits(seen.item.envelope, seen.restricted):
                    entries.append(seen)
                    if len(entries) == limit:
                        return FeedScan(entries, _key(seen), False)
            cursor = keys[-1] if keys else cursor
    return FeedScan(entries, None if exhausted else cursor, not exhausted)


def _key(seen: Seen) -> Key:
    env = seen.item.envelope
    return (env.created, env.id)
