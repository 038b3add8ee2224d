"""Failed-login counters: per username at one address, per username, and per address.

Rows are keyed by a hash of what they count, so unknown usernames are counted exactly like known
ones (the answers never tell which exist) and no username or address is kept in clear. A counter
counts failures inside a window that starts with the first one; at its threshold it locks until
the window's length has passed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, insert, or_, select

from csnet.accounts._util import utc
from csnet.store.tables import login_throttle


@dataclass(frozen=True)
class Counter:
    """One thing counted: its key, how many failures lock it, and for how long (minutes)."""

    key: str
    threshold: int
    minutes: int


def key_of(kind: str, *parts: str) -> str:
    # why: the NUL separator keeps ("a", "b c") and ("a b", "c") apart
    return hashlib.sha256("\0".join((kind, *parts)).encode("utf-8", "replace")).hexdigest()


def locked_until(conn: Connection, counters: list[Counter], now: datetime) -> datetime | None:
    """The latest end of a lock still running on any of these counters."""
    rows = conn.execute(
        select(login_throttle.c.locked_until).where(
            login_throttle.c.key.in_([c.key for c in counters]),
            login_throttle.c.locked_until.is_not(None),
        )
    ).scalars()
    running = [utc(t) for t in rows if utc(t) > now]
    return max(running, default=None)


def count_failure(conn: Connection, counter: Counter, now: datetime) -> datetime | None:
    """One more failure; returns the end of the lock it causes, if any."""
    row = conn.execute(select(login_throttle).where(login_throttle.c.key == counter.key)).first()
    window = timedelta(minutes=counter.minutes)
    fresh = row is None or utc(row.window_end) <= now
    failures = 1 if fresh or row is None else row.failures + 1
    window_end = now + window if fresh or row is None else utc(row.window_end)
    until = now + window if failures >= counter.threshold else None
    conn.execute(delete(login_throttle).where(login_throttle.c.key == counter.key))
    conn.execute(
        insert(login_throttle).values(
            key=counter.key,
            failures=failures,
            window_end=max(window_end, until) if until else window_end,
            locked_until=until,
        )
    )
    return until


def clear(conn: Connection, counters: list[Counter]) -> None:
    keys = [c.key for c in counters]
    conn.execute(delete(login_throttle).where(login_throttle.c.key.in_(keys)))


def purge(conn: Connection, now: datetime) -> None:
    """Forget counters whose window and lock are over (keeps the table small)."""
    over = and_(
        login_throttle.c.window_end <= now,
        or_(login_throttle.c.locked_until.is_(None), login_throttle.c.locked_until <= now),
    )
    conn.execute(delete(login_throttle).where(over))
