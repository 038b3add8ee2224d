"""Sightings: one row per canonical indicator value per item, and the hits a new item makes.

Called inside the write transaction that stores items (local publishing and items received
from peers), so a stored item always has its sightings. A hit is found through the value's
existing sightings, never stored as a pair: the store grows with values, not with pairs. A
value seen in more than `cap` items is noisy (a common prefix, a public hotline): it keeps its
first sightings and its count, and makes no more sightings or hits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from csnet.bus import Event
from csnet.indicators.base import NO_HINT, Hint, Indicator
from csnet.items.envelope import Envelope
from csnet.items.item_indicators import indicators_of, is_protected
from csnet.node import Node
from csnet.store import sightings_sql
from csnet.store.tables import peers


@dataclass(frozen=True)
class Hit:
    """A new item shares a canonical value with an item already held (the why of the hit)."""

    value_id: int
    type: str
    value: str
    first_seen: datetime
    item_id: str  # the new item
    origin: str
    created: datetime
    other_id: str  # the item that already held the value
    other_origin: str

    def event(self) -> Event:
        return Event.hit(
            self.item_id, self.origin, self.type, self.created, self.other_id, self.value_id
        )


def observe(node: Node, conn: Connection, envelopes: Sequence[Envelope]) -> list[Hit]:
    """`record` with this node's settings: its cap, and its own country as the hint for the
    numbers its members write without a prefix."""
    cap = int(node.settings.correlation_noisy_after)
    return record(
        conn, envelopes, node.now(), cap=cap, countries={node.node_id: node.identity.country}
    )


def record(
    conn: Connection,
    envelopes: Sequence[Envelope],
    now: datetime,
    *,
    cap: int = 50,
    countries: Mapping[str, str] | None = None,
) -> list[Hit]:
    """Write one sighting per (value, item) and return the hits the new items make."""
    hints = _hints(conn, {e.origin for e in envelopes}, countries or {})
    news = [sighted(env, indicators_of(env, hints.get(env.origin, NO_HINT))) for env in envelopes]
    return store(conn, news, now, cap=cap)


def _hints(conn: Connection, origins: set[str], known: Mapping[str, str]) -> dict[str, Hint]:
    """The origin node's country, where known: a number written without +CC is read there."""
    country = dict(known)
    wanted = origins - set(country)
    if wanted:
        query = select(peers.c.node_id, peers.c.country).where(peers.c.node_id.in_(wanted))
        country.update({str(node): str(c) for node, c in conn.execute(query)})
    return {origin: Hint(country=c) for origin, c in country.items() if c}


@dataclass(frozen=True)
class Sighted:
    """What storing needs of one item: who, when, the items it links to, and its values."""

    item_id: str
    origin: str
    created: datetime
    protected: bool
    linked: frozenset[str | None]  # why: a reply repeating its alert's number is no hit
    keys: tuple[tuple[str, str], ...]  # distinct (type, canonical value), in text order


def sighted(env: Envelope, indicators: Sequence[Indicator]) -> Sighted:
    return Sighted(
        item_id=env.id,
        origin=env.origin,
        created=env.created,
        protected=is_protected(env),
        linked=frozenset({env.replies_to, env.refers_to, env.supersedes}),
        keys=tuple(dict.fromkeys((i.type, i.value) for i in indicators)),
    )


@dataclass
class _Value:
    id: int  # 0 until a value new in this batch is inserted
    type: str
    value: str
    first_seen: datetime
    items: int
    noisy: bool
    held: dict[str, tuple[str, bool]] | None = None  # item id → (origin, current); None: unread


@dataclass
class _Batch:
    """What a batch writes, in a few statements at its end (executemany), not per sighting:
    storing millions of sightings is bound by statements, not by the database's work."""

    sighted: list[tuple[_Value, Sighted]] = field(default_factory=list)
    counted: dict[int, _Value] = field(default_factory=dict)  # values held before, by id
    hits: list[tuple[_Value, Sighted, str, str]] = field(default_factory=list)


def store(conn: Connection, news: Sequence[Sighted], now: datetime, *, cap: int = 50) -> list[Hit]:
    """The storing half of `record`, for items whose values are already read: one sighting per
    (value, item) below the cap, the counts of the values, and the hits, in item order."""
    keys = {key for new in news for key in new.keys}
    values = _existing_and_held(conn, keys, cap)
    for kind, value in keys - values.keys():
        values[(kind, value)] = _Value(0, kind, value, now, 0, False, held={})
    current = _current_in_batch(conn, news)
    batch = _Batch()
    for new in news:
        for key in new.keys:
            _sight(values[key], new, cap, current, batch)
    # why: in index order, each new entry lands next to the previous one (fewer pages touched)
    _create(conn, sorted((row for row in values.values() if not row.id), key=_key))
    _write(conn, batch)
    return [_hit(row, new, other, origin) for row, new, other, origin in batch.hits]


def _existing_and_held(
    conn: Connection, keys: set[tuple[str, str]], cap: int
) -> dict[tuple[str, str], _Value]:
    """The rows of the values already held, each below the noisy flag with its sightings as
    item id → (origin, current), at most `cap` by construction. Superseded and erased versions
    are not current: the correction that replaced them is hit."""
    rows, held_rows = sightings_sql.values_and_held(conn, keys)
    values = {(row[1], row[2]): _Value(*row) for row in rows}
    by_id = {row.id: row for row in values.values() if not row.noisy}
    for row in by_id.values():
        row.held = {}
    for value_id, item_id, origin, superseded, tombstoned in held_rows:
        held = by_id[value_id].held
        if held is not None and len(held) < cap:
            held[item_id] = (origin, superseded is None and not tombstoned)
    return values


def _current_in_batch(conn: Connection, news: Sequence[Sighted]) -> dict[str, bool]:
    """Whether the batch's items are current (as stored), read only for the items that share
    a value with another item of the batch: only those can be hit within it."""
    seen: dict[tuple[str, str], str] = {}
    wanted: set[str] = set()
    for new in news:
        for key in new.keys:
            first = seen.setdefault(key, new.item_id)
            if first != new.item_id:
                wanted.update((first, new.item_id))
    return sightings_sql.current_items(conn, sorted(wanted))


def count_item(row: _Value, new: Sighted, seen: bool, cap: int, batch: _Batch) -> bool:
    """Count the item for the value; True when it is sighted (below the cap). An item `seen`
    already (stored again by a replayed batch) is not a new sighting."""
    if not row.noisy and seen:
        return False
    row.items += 1
    if row.id:
        batch.counted[row.id] = row
    if row.noisy or row.items > cap:
        row.noisy = True
        return False
    batch.sighted.append((row, new))
    return True


def _sight(row: _Value, new: Sighted, cap: int, current: Mapping[str, bool], batch: _Batch) -> None:
    """Count the item for the value; below the cap, add its sighting and its hits."""
    held = row.held if row.held is not None else {}
    if not count_item(row, new, new.item_id in held, cap, batch):
        return
    batch.hits.extend(
        (row, new, other, origin)
        for other, (origin, is_current) in held.items()
        if is_current and other not in new.linked
    )
    # why: a later item of the batch may hit this one (its state as stored: `current`), and
    # the same item listed twice in a batch is not sighted twice
    held[new.item_id] = (new.origin, current.get(new.item_id, True))
    row.held = held


def _create(conn: Connection, rows: Sequence[_Value]) -> None:
    """Insert the values new in this batch, with their counts, and learn their ids."""
    params = [
        {"type": r.type, "value": r.value, "first_seen": r.first_seen}
        | {"items": r.items, "noisy": r.noisy}
        for r in rows
    ]
    ids = {(kind, value): key for key, kind, value in sightings_sql.insert_values(conn, params)}
    for row in rows:
        row.id = ids[(row.type, row.value)]


def _key(row: _Value) -> tuple[str, str]:
    return (row.type, row.value)


def _sighting_key(pair: tuple[_Value, Sighted]) -> tuple[int, str]:
    return (pair[0].id, pair[1].item_id)


def _write(conn: Connection, batch: _Batch) -> None:
    rows = [
        {
            "value_id": row.id,
            "item_id": new.item_id,
            "origin": new.origin,
            "created": new.created,
            "protected": new.protected,
        }
        for row, new in sorted(batch.sighted, key=_sighting_key)
    ]
    sightings_sql.insert_sightings(conn, rows)
    counts = [
        {"row_id": r.id, "row_items": r.items, "row_noisy": r.noisy} for r in batch.counted.values()
    ]
    sightings_sql.update_counts(conn, counts)


def _hit(row: _Value, new: Sighted, other_id: str, other_origin: str) -> Hit:
    return Hit(
        value_id=row.id,
        type=row.type,
        value=row.value,
        first_seen=row.first_seen,
        item_id=new.item_id,
        origin=new.origin,
        created=new.created,
        other_id=other_id,
        other_origin=other_origin,
    )


def events(hits: Sequence[Hit]) -> list[Event]:
    return [hit.event() for hit in hits]
