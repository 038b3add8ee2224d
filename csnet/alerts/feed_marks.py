"""Each member's read mark on the feed: what counts as unread, and the FLASH alerts of the last
day the member has not read yet (shown above the feed, impossible to miss)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.feed.engine import MAX_SCAN, Reader, Seen, scan
from csnet.feed.filters import FeedFilters
from csnet.feed.index import Scope, utc
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


FLASH_SCOPE = FeedFilters(urgency="FLASH")


def unread(node: Node, member: Member) -> Unread:
    """Counted and found through the feed's own engine and indexes, one actor for both."""
    since = unread_since(node, member.id)
    flash_since = max(since, node.now() - NEW_WINDOW)
    with node.store.read() as conn:
        reader = Reader.of(node, Caller(member), conn)
        count = _count(conn, reader, since)
        flash = _flash(conn, reader, flash_since)
    return Unread(since, count, flash)


def _count(conn: Connection, reader: Reader, since: datetime) -> int:
    return len(scan(conn, reader, Scope(since=since), None, UNREAD_CAP + 1, MAX_SCAN).entries)


def _flash(conn: Connection, reader: Reader, since: datetime) -> list[Seen]:
    """Whole FLASH alerts only: a body filter never matches an item shown as a header."""
    scope = Scope(FLASH_SCOPE, kinds=("alert",), since=since)
    return scan(conn, reader, scope, None, MAX_FLASH, MAX_SCAN).entries
