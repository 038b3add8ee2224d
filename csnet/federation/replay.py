"""Nonces seen within the freshness window: a signed request is accepted once.

A request is only fresh while |now - its time| <= window, so a nonce need only be remembered
until its request time is more than one window in the past; older rows are purged as we go.
Call inside `Store.write()`: the single writer makes check-then-insert safe.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from csnet.federation.requests import WINDOW_SECONDS
from csnet.store.tables import request_nonces


def purge(conn: Connection, now: datetime, window: int = WINDOW_SECONDS) -> int:
    cutoff = int(now.timestamp()) - window
    result = conn.execute(delete(request_nonces).where(request_nonces.c.at < cutoff))
    return int(result.rowcount or 0)


def seen(conn: Connection, origin: str, nonce: str) -> bool:
    """Was (origin, nonce) recorded already? A read, for checks made before the write."""
    query = select(request_nonces.c.at).where(
        request_nonces.c.origin == origin, request_nonces.c.nonce == nonce
    )
    return conn.execute(query).first() is not None


def remember(
    conn: Connection, origin: str, nonce: str, at: int, now: datetime, window: int = WINDOW_SECONDS
) -> bool:
    """Record (origin, nonce); False when it was already seen (a replay)."""
    purge(conn, now, window)
    if seen(conn, origin, nonce):
        return False
    conn.execute(insert(request_nonces).values(origin=origin, nonce=nonce, at=at))
    return True
