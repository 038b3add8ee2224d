"""Sightings: one row per canonical indicator value per item, and the hits a new item makes.

Called inside the write transaction that stores items (local publishing and items received
from peers), so a stored item always has its sightings. A hit is found through the value's
existing sightings, never stored as a pair: the store grows with values, not with pairs. A
value seen in more than `cap` items is noisy (a common prefix, a public hotline): it keeps its
first sightings and its count, and makes no more sightings or hits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Update, bindparam, func, select, update
from sqlalchemy import text as sql_text

from csnet.bus import Event
from csnet.indicators.base import NO_HINT, Hint, Indicator
from csnet.items.envelope import Envelope
from csnet.items.item_indicators import indicators_of, is_protected
from csnet.node import Node
from csnet.store.tables import indicator_values, items, peers, sightings

LOOKUP_CHUNK = 400  # values per IN query (SQLite's variable limit is far above)
FEW = 32  # values of a small batch (an item published or received alone): fewer round trips


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
    values = _existing(conn, keys)
    _read_held(conn, [row for row in values.values() if not row.noisy], cap)
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


# Built once, so SQLAlchemy's statement cache finds them without building a key each time
# (that costs more than the query itself for the few values of one published item).
_v, _s, _t = indicator_values, sightings, items
_LOOKUP = select(_v.c.id, _v.c.type, _v.c.value, _v.c.first_seen, _v.c["items"], _v.c.noisy).where(
    _v.c.type == bindparam("kind"), _v.c.value.in_(bindparam("values", expanding=True))
)
_HELD = (
    select(_s.c.value_id, _s.c.item_id, _s.c.origin, _t.c.superseded_by, _t.c.tombstoned)
    .join(_t, _t.c.id == _s.c.item_id)
    .where(_s.c.value_id.in_(bindparam("ids", expanding=True)))
)
_CURRENT = select(_t.c.id, _t.c.superseded_by, _t.c.tombstoned).where(
    _t.c.id.in_(bindparam("ids", expanding=True))
)
_LOOKUP_FEW = select(
    _v.c.id, _v.c.type, _v.c.value, _v.c.first_seen, _v.c["items"], _v.c.noisy
).where(
    _v.c.type.in_(bindparam("kinds", expanding=True)),
    _v.c.value.in_(bindparam("values", expanding=True)),
)
_NEW_VALUES_RETURNING = indicator_values.insert().returning(_v.c.id, _v.c.type, _v.c.value)
_LAST_ID = select(func.max(_v.c.id))
# text(): plain columns, no per-row result processing
_MADE = sql_text("SELECT id, type, value FROM indicator_values WHERE id > :last")


def _existing(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _Value]:
    """The rows of the values already held, each found through the unique index."""
    if len(keys) <= FEW:
        # why: one query (a few values: one item published alone): every type with every
        # value, the pairs not asked for dropped by _by_key
        query = {"kinds": sorted({k for k, _ in keys}), "values": sorted({v for _, v in keys})}
        return _by_key(conn.execute(_LOOKUP_FEW, query), keys)
    # `type = ? AND value IN (…)` uses the unique index, where SQLite scans the whole table
    # for a row-value `(type, value) IN (…)`
    by_type: dict[str, list[str]] = {}
    for kind, value in sorted(keys):
        by_type.setdefault(kind, []).append(value)
    rows: dict[tuple[str, str], _Value] = {}
    if conn.dialect.name == "postgresql":  # why: an array is one prepared statement, any size
        for kind, wanted in by_type.items():
            rows |= _by_key(conn.execute(_PG_LOOKUP, {"kind": kind, "values": wanted}), keys)
        return rows
    for kind, wanted in by_type.items():
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            rows |= _by_key(conn.execute(_LOOKUP, {"kind": kind, "values": chunk}), keys)
    return rows


def _by_key(
    result: Iterable[Sequence[Any]], keys: set[tuple[str, str]]
) -> dict[tuple[str, str], _Value]:
    found = (_Value(*row) for row in result)
    return {(r.type, r.value): r for r in found if (r.type, r.value) in keys}


def _read_held(conn: Connection, rows: Sequence[_Value], cap: int) -> None:
    """Each value's sightings as item id → (origin, current), at most `cap` by construction.
    Superseded and erased versions are not current: the correction that replaced them is hit."""
    by_id = {row.id: row for row in rows}
    for row in rows:
        row.held = {}
    ids = sorted(by_id)
    postgres = conn.dialect.name == "postgresql"
    step = len(ids) if postgres else LOOKUP_CHUNK
    for start in range(0, len(ids), step or 1):
        chunk = {"ids": ids[start : start + step]}
        found = conn.execute(_PG_HELD if postgres else _HELD, chunk)
        for value_id, item_id, origin, superseded, tombstoned in found:
            held = by_id[value_id].held
            if held is not None and len(held) < cap:
                held[str(item_id)] = (str(origin), superseded is None and not tombstoned)


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
    ids = sorted(wanted)
    current: dict[str, bool] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        found = conn.execute(_CURRENT, {"ids": ids[start : start + LOOKUP_CHUNK]})
        current.update({str(i): s is None and not dead for i, s, dead in found})
    return current


def _sight(row: _Value, new: Sighted, cap: int, current: Mapping[str, bool], batch: _Batch) -> None:
    """Count the item for the value; below the cap, add its sighting and its hits."""
    held = row.held if row.held is not None else {}
    if not row.noisy and new.item_id in held:
        return  # why: an item stored again (a replayed batch) is not a new sighting
    row.items += 1
    if row.id:
        batch.counted[row.id] = row
    if row.noisy or row.items > cap:
        row.noisy = True
        return
    batch.sighted.append((row, new))
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
    if not rows:
        return
    params = [
        {"type": r.type, "value": r.value, "first_seen": r.first_seen}
        | {"items": r.items, "noisy": r.noisy}
        for r in rows
    ]
    made: Iterable[Sequence[Any]]
    if conn.dialect.name == "postgresql":
        made = conn.execute(_PG_NEW_VALUES, _arrays(params))
    elif len(rows) <= FEW:  # why: one statement, where the bulk path below takes three
        made = conn.execute(_NEW_VALUES_RETURNING, params)
    else:
        made = _insert_many(conn, rows, params)
    ids = {(kind, value): int(key) for key, kind, value in made}
    for row in rows:
        row.id = ids[(row.type, row.value)]


def _insert_many(
    conn: Connection, rows: Sequence[_Value], params: Sequence[Mapping[str, Any]]
) -> list[tuple[int, str, str]]:
    """SQLite, many rows: (id, type, value) of the rows inserted. One writer at a time
    (Store.write), so the ids above the last one are these rows: cheaper than RETURNING, which
    SQLAlchemy fetches row by row, and checked by the count."""
    last = conn.execute(_LAST_ID).scalar_one() or 0
    _executemany(conn, _NEW_VALUES, params)
    made = [
        (int(key), str(kind), str(value))
        for key, kind, value in conn.execute(_MADE, {"last": last})
    ]
    if len(made) != len(rows):
        found = _existing(conn, {(r.type, r.value) for r in rows})
        made = [(r.id, r.type, r.value) for r in found.values()]
    return made


def _key(row: _Value) -> tuple[str, str]:
    return (row.type, row.value)


def _sighting_key(pair: tuple[_Value, Sighted]) -> tuple[int, str]:
    return (pair[0].id, pair[1].item_id)


def _write(conn: Connection, batch: _Batch) -> None:
    if batch.sighted:
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
        _executemany(conn, _NEW_SIGHTINGS, rows)
    if batch.counted:
        params = [
            {"row_id": r.id, "row_items": r.items, "row_noisy": r.noisy}
            for r in batch.counted.values()
        ]
        _executemany(conn, _COUNTS, params)


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)


# Built once: the prepared forms below are cached by statement and dialect.
_NEW_VALUES = indicator_values.insert().inline()
_NEW_SIGHTINGS = sightings.insert().inline()
_COUNTS = (
    update(indicator_values)
    .where(indicator_values.c.id == bindparam("row_id"))
    .values({"items": bindparam("row_items"), "noisy": bindparam("row_noisy")})
)
_PREPARED: dict[tuple[int, str, tuple[str, ...]], _Prepared] = {}

# PostgreSQL: a batch is one statement over arrays (unnest), not one statement per row, which
# psycopg's executemany sends one by one (pipelined, but each parsed and planned on its own).
_PG_LOOKUP = sql_text(
    "SELECT id, type, value, first_seen, items, noisy FROM indicator_values"
    " WHERE type = :kind AND value = ANY(CAST(:values AS varchar[]))"
)
_PG_HELD = sql_text(
    "SELECT s.value_id, s.item_id, s.origin, t.superseded_by, t.tombstoned"
    " FROM sightings s JOIN items t ON t.id = s.item_id"
    " WHERE s.value_id = ANY(CAST(:ids AS integer[]))"
)
_PG_NEW_VALUES = sql_text(
    "INSERT INTO indicator_values (type, value, first_seen, items, noisy)"
    " SELECT * FROM unnest(CAST(:type AS varchar[]), CAST(:value AS varchar[]),"
    " CAST(:first_seen AS timestamptz[]), CAST(:items AS integer[]), CAST(:noisy AS boolean[]))"
    " RETURNING id, type, value"
)
_PG_BULK = {
    id(_NEW_SIGHTINGS): sql_text(
        "INSERT INTO sightings (value_id, item_id, origin, created, protected)"
        " SELECT * FROM unnest(CAST(:value_id AS integer[]), CAST(:item_id AS varchar[]),"
        " CAST(:origin AS varchar[]), CAST(:created AS timestamptz[]),"
        " CAST(:protected AS boolean[]))"
    ),
    id(_COUNTS): sql_text(
        "UPDATE indicator_values AS v SET items = u.items, noisy = u.noisy"
        " FROM unnest(CAST(:row_id AS integer[]), CAST(:row_items AS integer[]),"
        " CAST(:row_noisy AS boolean[])) AS u(id, items, noisy) WHERE v.id = u.id"
    ),
}


def _arrays(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows as one array per column."""
    return {name: [row[name] for row in rows] for name in rows[0]}


def _executemany(
    conn: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Many rows through the driver's own executemany loop. SQLAlchemy's per-row parameter
    handling costs more than SQLite's insert itself; here each value goes through its type's
    bind processor (dates, booleans), once per distinct value."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_BULK[id(statement)], _arrays(rows))
        return
    prepared = _prepare(conn, statement, tuple(rows[0]))
    memo: list[dict[Any, Any]] = [{} for _ in prepared.processors]
    params: list[Any] = []
    for row in rows:
        values = [row[name] for name in prepared.names]
        for (position, process), seen in zip(prepared.processors, memo, strict=True):
            raw = values[position]
            # why: equal times in other zones are equal keys, but not stored alike
            key = (raw, raw.tzinfo) if isinstance(raw, datetime) else raw
            if key not in seen:
                seen[key] = process(raw)
            values[position] = seen[key]
        if prepared.positional:
            params.append(tuple(values))
        else:
            params.append(dict(zip(prepared.names, values, strict=True)))
    conn.exec_driver_sql(prepared.sql, params)


def _prepare(conn: Connection, statement: Insert | Update, keys: tuple[str, ...]) -> _Prepared:
    dialect = conn.dialect
    cache_key = (id(statement), dialect.name, keys)  # why: str() would compile it each time
    if cache_key not in _PREPARED:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(keys)
        processors = []
        for position, name in enumerate(names):
            kind = compiled.binds[name].type.dialect_impl(dialect)
            process = kind.bind_processor(dialect)
            if process is not None:
                processors.append((position, process))
        _PREPARED[cache_key] = _Prepared(
            compiled.string, names, compiled.positional, tuple(processors)
        )
    return _PREPARED[cache_key]


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
