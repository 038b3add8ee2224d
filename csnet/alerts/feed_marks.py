"""Each member's read mark on the feed: what counts as unread, and the FLASH alerts of the last
day the member has not read yet (shown above the feed, impossible to miss)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from csnet.accounts.members import Member
from csnet.alerts.feed_query import (
    BATCH,
    MAX_SCAN,
    FeedFilters,
    Key,
    Reader,
    Row,
    Seen,
    fetch,
    json_text,
    stored,
    utc,
    window,
)
from csnet.node import Node
from csnet.store.tables import feed_marks

UNREAD_CAP = 99  # shown as "99+" beyond
NEW_WINDOW = timedelta(hours=24)  # no mark yet: the last day counts as unread
MAX_FLASH = 10


def seen_at(conn: Connection, member_id: str) -> datetime | None:
    query = select(feed_marks.c.seen_at).where(feed_marks.c.member_id == member_id)
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else utc(value)


def mark_read(node: Node, member_id: str) -> datetime:
    """Everything up to now counts as read for this member."""
    now = node.now()
    with node.store.write() as conn:
        conn.execute(delete(feed_marks).where(feed_marks.c.member_id == member_id))
        conn.execute(insert(feed_marks).values(member_id=member_id, seen_at=now))
    return now


def unread_since(node: Node, member_id: str) -> datetime:
    """Items created after this are new to the member."""
    with node.store.read() as conn:
        mark = seen_at(conn, member_id)
    return mark if mark is not None else node.now() - NEW_WINDOW


@dataclass(frozen=True)
class Unread:
    since: datetime
    count: int  # at most UNREAD_CAP + 1 (shown as "99+")
    flash: list[Seen]  # unread FLASH alerts of the last day, newest first

    @property
    def capped(self) -> bool:
        return self.count > UNREAD_CAP


def _newer(conn: Connection, since: datetime) -> Iterator[Row]:
    """Rows newer than `since`, newest first, at most MAX_SCAN of them."""
    cursor: Key | None = None
    scanned, step = 0, UNREAD_CAP + 1
    while scanned < MAX_SCAN:
        size, step = min(step, MAX_SCAN - scanned), min(4 * step, BATCH)
        keys = window(conn, cursor, size, since)
        yield from fetch(conn, keys, FeedFilters())
        if len(keys) < size:
            return
        scanned, cursor = scanned + len(keys), keys[-1]


def unread(node: Node, member: Member) -> Unread:
    since = unread_since(node, member.id)
    flash_since = max(since, node.now() - NEW_WINDOW)
    reader = Reader(node, member)
    count, flash = 0, []
    flash_mark = json_text("FLASH")
    with node.store.read() as conn:
        for key, raw, superseded_by, received in _newer(conn, since):
            capped = count > UNREAD_CAP
            if capped and key[0] <= flash_since:
                break  # counted enough, and too old to be a FLASH alert shown
            if capped and flash_mark not in raw:
                continue  # counted enough: only FLASH alerts still matter
            seen = reader.see(stored(raw, superseded_by, received))
            if seen is None:
                continue
            count += 0 if capped else 1
            env = seen.item.envelope
            if _is_flash(seen) and env.created > flash_since:
                flash.append(seen)
                if capped and len(flash) >= MAX_FLASH:
                    break
    return Unread(since, count, flash[:MAX_FLASH])


def _is_flash(seen: Seen) -> bool:
    env = seen.item.envelope
    return env.kind == "alert" and not seen.restricted and env.body.get("urgency") == "FLASH"
