"""The feed's index reads: the newest current feed items in a scope, keyset-paged on (created,
id), each query one walk of the projection's index for its most telling filter (tag, urgency,
route, origin or kind), joined to the items by primary key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, and_, or_, select, true

from csnet.feed.facts import FEED_KINDS, fold
from csnet.feed.filters import NO_FILTERS, FeedFilters
from csnet.items.envelope import Envelope
from csnet.store.item_store import StoredItem
from csnet.store.tables import feed_items, feed_tags, item_audience, items

Key = tuple[datetime, str]  # (created, id): the keyset of the feed


@dataclass(frozen=True)
class Scope:
    """Which items a feed lists: the member's filters, the kinds, and only those newer than
    `since` (unread counts)."""

    filters: FeedFilters = NO_FILTERS
    kinds: tuple[str, ...] = FEED_KINDS
    since: datetime | None = None


@dataclass(frozen=True)
class FeedRow:
    key: Key
    raw: bytes
    superseded_by: str | None
    received: datetime

    def stored(self) -> StoredItem:
        return StoredItem(
            Envelope.model_validate_json(self.raw),
            self.raw,
            self.superseded_by,
            False,
            self.received,
        )


def utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def newest(conn: Connection, scope: Scope, before: Key | None, limit: int) -> list[FeedRow]:
    """Up to `limit` rows of the scope older than `before` (None: from the newest), newest first."""
    f, t = feed_items.c, feed_tags.c
    tag = scope.filters.tag
    # why: with a tag, the walk (and so the order and the keyset) is on the tag's own index
    created, item_id = (t.created, t.item_id) if tag else (f.created, f.item_id)
    source: FromClause = feed_items
    if tag:
        source = feed_tags.join(feed_items, f.item_id == t.item_id)
    query = (
        select(created, item_id, items.c.envelope, items.c.superseded_by, items.c.received)
        .select_from(source.join(items, items.c.id == item_id))
        .where(*_conditions(scope), _after(created, item_id, before))
        .where(items.c.superseded_by.is_(None), items.c.tombstoned.is_(False))
        .order_by(created.desc(), item_id.desc())
        .limit(limit)
    )
    if tag:
        query = query.where(t.tag == fold(tag))
    if scope.since is not None:
        query = query.where(created > scope.since)
    return [
        FeedRow((utc(c), str(i)), bytes(raw), sup, utc(rec))
        for c, i, raw, sup, rec in conn.execute(query)
    ]


def _conditions(scope: Scope) -> list[ColumnElement[bool]]:
    f, wanted = feed_items.c, scope.filters
    found: list[ColumnElement[bool]] = []
    if set(scope.kinds) != set(FEED_KINDS):
        kinds = list(scope.kinds)
        found.append(f.kind == kinds[0] if len(kinds) == 1 else f.kind.in_(kinds))
    if wanted.urgency:
        found.append(f.urgency == wanted.urgency)
    if wanted.route:
        found.append(f.route == fold(wanted.route))
    if wanted.origin:
        found.append(f.origin == wanted.origin)
    if wanted.group:
        audience = item_audience.c
        found.append(
            select(audience.item_id)
            .where(audience.item_id == f.item_id, audience.target == f"group:{wanted.group}")
            .exists()
        )
    return found


def _after(created: Any, item_id: Any, before: Key | None) -> ColumnElement[bool]:
    """The keyset condition, with a plain range on `created` so the index seeks to it."""
    if before is None:
        return true()
    when, last = before
    return and_(created <= when, or_(created < when, item_id < last))
