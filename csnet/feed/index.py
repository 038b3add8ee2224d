"""The feed's index reads: the newest current feed items in a scope, keyset-paged on (created,
id), each query one walk of the projection's index for its most telling filter (tag, urgency,
route, origin or kind), joined to the items by primary key."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Select, and_, or_, select, true

from csnet.feed.facts import FEED_KINDS, fold
from csnet.feed.filters import NO_FILTERS, FeedFilters
from csnet.items.envelope import Envelope
from csnet.store.item_store import StoredItem
from csnet.store.tables import feed_items, feed_tags, item_audience, items

Key = tuple[datetime, str]  # (created, id): the keyset of the feed
_ITEM_ID = re.compile(r"[0-9a-f]{64}")


def key_of(created: str, item_id: str) -> Key:
    """The keyset a paging cursor's two parts name (ValueError if they name none): a cursor
    that is not one this node wrote is refused, not read as an empty page."""
    if not _ITEM_ID.fullmatch(item_id):
        raise ValueError("not an item id")
    return utc(datetime.fromisoformat(created)).astimezone(UTC), item_id


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


@dataclass(frozen=True)
class Window:
    """The rows of one read that pass the scope, and how far the read went."""

    rows: list[FeedRow]
    read: int  # rows read (fewer than asked: nothing older is left)
    last: Key | None  # the oldest row read, where the next read goes on


def newest(conn: Connection, scope: Scope, before: Key | None, size: int) -> Window:
    """The scope's rows among the next `size` older than `before` (None: from the newest).

    A group filter is checked on the rows read, not walked: no index orders an audience by
    time, so it is one bounded window of the other filters' walk, then the group's rows."""
    if not scope.filters.group:
        rows = _rows(conn, _select(scope, before, size, *_ROW))
        return Window(rows, len(rows), rows[-1].key if rows else None)
    others = replace(scope, filters=replace(scope.filters, group=""))
    keys = [(utc(c), str(i)) for c, i in conn.execute(_select(others, before, size))]
    if not keys:
        return Window([], 0, None)
    f = feed_items.c
    query = (
        select(f.created, f.item_id, *_ROW)
        .join(items, items.c.id == f.item_id)
        .where(f.item_id.in_([i for _, i in keys]), _in_group(scope.filters.group))
    )
    rows = sorted(_rows(conn, query), key=lambda r: r.key, reverse=True)
    return Window(rows, len(keys), keys[-1])


_ROW = (items.c.envelope, items.c.superseded_by, items.c.received)


def _rows(conn: Connection, query: Select[Any]) -> list[FeedRow]:
    return [
        FeedRow((utc(c), str(i)), bytes(raw), sup, utc(rec))
        for c, i, raw, sup, rec in conn.execute(query)
    ]


def _select(scope: Scope, before: Key | None, size: int, *extra: Any) -> Select[Any]:
    """(created, id, *extra) of the scope's next `size` rows, newest first, by one index walk."""
    f, t = feed_items.c, feed_tags.c
    tag = scope.filters.tag
    # why: with a tag, the walk (and so the order and the keyset) is on the tag's own index
    created, item_id = (t.created, t.item_id) if tag else (f.created, f.item_id)
    source: FromClause = feed_items
    if tag:
        source = feed_tags.join(feed_items, f.item_id == t.item_id)
    query = (
        select(created, item_id, *extra)
        .select_from(source.join(items, items.c.id == item_id))
        .where(*_conditions(scope), _after(created, item_id, before))
        .where(items.c.superseded_by.is_(None), items.c.tombstoned.is_(False))
        .order_by(created.desc(), item_id.desc())
        .limit(size)
    )
    if tag:
        query = query.where(t.tag == fold(tag))
    if scope.since is not None:
        query = query.where(created > scope.since)
    return query


def _in_group(group: str) -> ColumnElement[bool]:
    audience = item_audience.c
    return (
        select(audience.item_id)
        .where(audience.item_id == feed_items.c.item_id, audience.target == f"group:{group}")
        .exists()
    )


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
        found.append(_in_group(wanted.group))
    return found


def _after(created: Any, item_id: Any, before: Key | None) -> ColumnElement[bool]:
    """The keyset condition, with a plain range on `created` so the index seeks to it."""
    if before is None:
        return true()
    when, last = before
    return and_(created <= when, or_(created < when, item_id < last))
