"""The durable per-peer outbox: rows are written in the transaction that stores the items.

So an item acknowledged to its author (or to the peer that sent it) can never be missing from
the outbox; sending happens later, outside any transaction (csnet/federation/delivery.py).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from csnet.federation import consent, reach
from csnet.items import relay
from csnet.items.envelope import Envelope
from csnet.store import driver_rows
from csnet.store.tables import items, outbox

MAX_BATCH_ITEMS = 500
MAX_BATCH_BYTES = 4 * 1024 * 1024
BACKOFF_BASE = 0.5
BACKOFF_CAP = 60.0  # why: a peer back after an outage must be reached within a minute


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """min(60, 0.5 * 2**attempts) seconds, less up to a quarter of jitter (never above the cap)."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** min(attempts, 16))
    return base * (0.75 + 0.25 * (rng or random).random())


def enqueue(
    conn: Connection,
    self_id: str,
    envelopes: Sequence[Envelope],
    now: datetime,
    sender: str | None = None,
    known: reach.Reach | None = None,
) -> int:
    """Queue each item for every peer that may receive it; idempotent by (peer, item id).

    Sharing groups are resolved here, in the caller's transaction: an item addressed to a group
    goes to the peers that are members of it now. `known`: that view as the caller's
    transaction sees it (the Node's cached one); read from the tables when not given.
    """
    # why: a consent item changes who may receive the item it is about, so it is applied first
    # and the held items whose consent changed are reconsidered with the new ones
    reconsidered = consent.apply_items(conn, self_id, envelopes, now)
    known = reach.load(conn) if known is None else known
    mine = known.membership.of(self_id)
    everything = [*envelopes, *reconsidered]
    rows = _recipient_rows(conn, self_id, everything, known.targets, sender, mine, now)
    consent.drop_unconsented(conn, reconsidered, {(r["peer"], r["item_id"]) for r in rows})
    if not rows:
        return 0
    held = set(
        conn.execute(
            select(outbox.c.peer, outbox.c.item_id).where(
                outbox.c.item_id.in_({r["item_id"] for r in rows})
            )
        )
    )
    waits = _backoff_state(conn, {r["peer"] for r in rows})
    fresh = [
        # why: a peer in backoff keeps its schedule; new items must not trigger a push to it
        {**r, "enqueued": now, **waits.get(r["peer"], {"attempts": 0, "next_attempt": now})}
        for r in rows
        if (r["peer"], r["item_id"]) not in held
    ]
    driver_rows.insert_rows(conn, outbox, fresh)
    return len(fresh)


def _recipient_rows(
    conn: Connection,
    self_id: str,
    envelopes: Sequence[Envelope],
    targets: Sequence[relay.Target],
    sender: str | None,
    mine: frozenset[str],
    now: datetime,
) -> list[dict[str, Any]]:
    """(peer, item) rows for every peer policy lets each item go to; an H2 item relayed under
    the originator's consent takes the consent item along, so the receiver can check it."""
    if not targets:
        return []
    consents = consent.View(conn)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for env in envelopes:
        scope = consents.scope(env, now)
        grant = consents.grant(env.id, env.origin) if scope and env.origin != self_id else None
        for peer in relay.recipients(self_id, env, targets, sender, mine, scope):
            rows[(peer, env.id)] = _row(peer, env.id, env.origin, env.seq)
            if grant is not None:
                rows[(peer, grant.consent_id)] = _row(peer, grant.consent_id, env.origin, grant.seq)
    return list(rows.values())


def _row(peer: str, item_id: str, origin: str, seq: int) -> dict[str, Any]:
    return {"peer": peer, "item_id": item_id, "origin": origin, "seq": seq}


def _backoff_state(conn: Connection, peers: set[str]) -> dict[str, dict[str, Any]]:
    """Per peer already waiting: its current attempts and next attempt time."""
    query = (
        select(outbox.c.peer, func.max(outbox.c.attempts), func.max(outbox.c.next_attempt))
        .where(outbox.c.peer.in_(peers), outbox.c.attempts > 0)
        .group_by(outbox.c.peer)
    )
    return {
        peer: {"attempts": attempts, "next_attempt": next_attempt}
        for peer, attempts, next_attempt in conn.execute(query)
    }


def pending_peers(conn: Connection, now: datetime | None = None) -> list[str]:
    """Peers with queued rows (due at `now`, when given)."""
    query = select(outbox.c.peer).distinct()
    if now is not None:
        query = query.where(outbox.c.next_attempt <= now)
    return sorted(conn.execute(query).scalars())


def push_state(conn: Connection, peer: str, origin: str) -> tuple[int | None, bool]:
    """The lowest seq of `origin`'s items still queued for `peer` (None: none), and whether
    pushes to the peer are failing (its rows are in backoff)."""
    query = select(func.min(outbox.c.seq), func.max(outbox.c.attempts)).where(
        outbox.c.peer == peer, outbox.c.origin == origin
    )
    first, attempts = conn.execute(query).one()
    return (None if first is None else int(first)), bool(attempts)


def load_batch(
    conn: Connection,
    peer: str,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
    skip: Sequence[str] = (),
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The next batch for `peer` in (origin, seq) order, and ids queued for items since erased;
    `skip`: ids of the batch in flight, whose rows are still queued."""
    query = (
        select(outbox.c.item_id, items.c.envelope)
        .select_from(outbox.outerjoin(items, items.c.id == outbox.c.item_id))
        .where(outbox.c.peer == peer)
        .order_by(outbox.c.origin, outbox.c.seq)
        .limit(max_items)
    )
    if skip:
        query = query.where(outbox.c.item_id.not_in(skip))
    batch: list[tuple[str, bytes]] = []
    gone: list[str] = []
    size = 16  # the {"items":[]} wrapper
    for item_id, raw in conn.execute(query):
        if raw is None:
            gone.append(item_id)
            continue
        size += len(raw) + 1
        if batch and size > max_bytes:
            break
        batch.append((item_id, bytes(raw)))
    return batch, gone


def remove(conn: Connection, peer: str, ids: Sequence[str]) -> None:
    if ids:
        conn.execute(delete(outbox).where(outbox.c.peer == peer, outbox.c.item_id.in_(ids)))


def defer(conn: Connection, peer: str, attempts: int, delay: float, now: datetime) -> None:
    """Record a failed attempt on every row of the peer (durable backoff across restarts)."""
    conn.execute(
        update(outbox)
        .where(outbox.c.peer == peer)
        .values(attempts=attempts, next_attempt=now + timedelta(seconds=delay))
    )


def retry_now(conn: Connection, peer: str, now: datetime) -> int:
    """End the peer's backoff (it was heard from); returns how many rows were waiting."""
    waiting = (outbox.c.peer == peer) & (outbox.c.attempts > 0)
    return conn.execute(update(outbox).where(waiting).values(attempts=0, next_attempt=now)).rowcount


def attempts_of(conn: Connection, peer: str) -> int:
    query = select(func.max(outbox.c.attempts)).where(outbox.c.peer == peer)
    return int(conn.execute(query).scalar() or 0)
