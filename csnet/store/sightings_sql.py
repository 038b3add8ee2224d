"""The statements behind correlation/sightings.py, per dialect: looking values up, reading their
sightings, and writing a batch's values, sightings and counts in a few statements.

Storing millions of sightings is bound by statements, not by the database's work, so each
function here owns the fastest form its dialect allows: on PostgreSQL one statement over
arrays (unnest, = ANY), which is one prepared statement whatever the batch size; on SQLite the
indexed `type = ? AND value IN (...)`, and the driver's own executemany loop fed from a cache of
compiled statements (SQLAlchemy's per-row parameter handling costs more than the insert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Update, bindparam, func, select, update
from sqlalchemy import text as sql_text

from csnet.store import driver_rows
from csnet.store.tables import indicator_values, items, sightings

LOOKUP_CHUNK = 400  # values per IN query (SQLite's variable limit is far above)
FEW = 32  # values of a small batch (an item published or received alone): fewer round trips

# A value's row: (id, type, value, first_seen, items, noisy).
ValueRow = tuple[int, str, str, datetime, int, bool]
# A sighting of a value, with its item's state: (value_id, item_id, origin, superseded_by,
# tombstoned).
HeldRow = tuple[int, str, str, str | None, bool]

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
_SQLITE_NEW_FEW = (
    "INSERT INTO indicator_values (type, value, first_seen, items, noisy) VALUES {}"
    " RETURNING id, type, value"
)
_LAST_ID = select(func.max(_v.c.id))
# text(): plain columns, no per-row result processing
_MADE = sql_text("SELECT id, type, value FROM indicator_values WHERE id > :last")

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


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def driver_cursor(conn: Connection) -> Any:
    """The driver's own cursor on the connection of `conn`'s transaction: rows in and out as
    plain tuples, none of SQLAlchemy's per-statement and per-row work."""
    raw = conn.connection.dbapi_connection
    if raw is None:  # why: only a closed or invalidated connection has none
        raise RuntimeError("the connection is closed")
    return raw.cursor()


def lookup_values(conn: Connection, keys: set[tuple[str, str]]) -> list[ValueRow]:
    """The rows of the values among `keys` (type, canonical value) already held, each found
    through the unique index."""
    if len(keys) <= FEW:
        # why: one query (a few values: one item published alone): every type with every
        # value, the pairs not asked for dropped by _asked
        query = {"kinds": sorted({k for k, _ in keys}), "values": sorted({v for _, v in keys})}
        return _asked(conn.execute(_LOOKUP_FEW, query), keys)
    # `type = ? AND value IN (…)` uses the unique index, where SQLite scans the whole table
    # for a row-value `(type, value) IN (…)`
    by_type: dict[str, list[str]] = {}
    for kind, value in sorted(keys):
        by_type.setdefault(kind, []).append(value)
    rows: list[ValueRow] = []
    if _postgres(conn):  # why: an array is one prepared statement, any size
        for kind, wanted in by_type.items():
            rows += _asked(conn.execute(_PG_LOOKUP, {"kind": kind, "values": wanted}), keys)
        return rows
    for kind, wanted in by_type.items():
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            rows += _asked(conn.execute(_LOOKUP, {"kind": kind, "values": chunk}), keys)
    return rows


def _asked(result: Iterable[Sequence[Any]], keys: set[tuple[str, str]]) -> list[ValueRow]:
    found: list[ValueRow] = [
        (int(r[0]), str(r[1]), str(r[2]), r[3], int(r[4]), bool(r[5])) for r in result
    ]
    return [row for row in found if (row[1], row[2]) in keys]


# SQLite, a few values: each value with its sightings (below the noisy flag) and their items'
# state, one statement where lookup_values and held_sightings take two, through the driver's
# cursor (SQLAlchemy's execution costs more than these index reads).
_SQLITE_VALUES_AND_HELD = (
    "SELECT v.id, v.type, v.value, v.first_seen, v.items, v.noisy,"
    " s.item_id, s.origin, t.superseded_by, t.tombstoned"
    " FROM indicator_values v"
    " LEFT JOIN sightings s ON s.value_id = v.id AND NOT v.noisy"
    " LEFT JOIN items t ON t.id = s.item_id"
    " WHERE v.type IN ({kinds}) AND v.value IN ({values})"
)


def values_and_held(
    conn: Connection, keys: set[tuple[str, str]]
) -> tuple[list[ValueRow], list[HeldRow]]:
    """`lookup_values`, and `held_sightings` of the values found that are not noisy."""
    if _postgres(conn) or len(keys) > FEW:
        rows = lookup_values(conn, keys)
        return rows, list(held_sightings(conn, [row[0] for row in rows if not row[5]]))
    kinds = sorted({k for k, _ in keys})
    wanted = sorted({v for _, v in keys})
    sql = _SQLITE_VALUES_AND_HELD.format(
        kinds=",".join("?" * len(kinds)), values=",".join("?" * len(wanted))
    )
    cursor = driver_cursor(conn)
    found = cursor.execute(sql, [*kinds, *wanted]).fetchall()
    cursor.close()
    as_time = _time_result(conn)
    values: dict[int, ValueRow] = {}
    held: list[HeldRow] = []
    for key, kind, value, first, count, noisy, item_id, origin, superseded, dead in found:
        if (kind, value) not in keys:  # why: a type asked with another type's value
            continue
        if key not in values:
            values[key] = (key, kind, value, as_time(first), count, bool(noisy))
        if item_id is not None:
            held.append((key, item_id, origin, superseded, bool(dead)))
    return list(values.values()), held


def _time_result(conn: Connection) -> Callable[[Any], Any]:
    """How SQLAlchemy reads a stored time back on this dialect (text on SQLite)."""
    kind = indicator_values.c.first_seen.type.dialect_impl(conn.dialect)
    process = kind.result_processor(conn.dialect, None)
    return process if process is not None else (lambda stored: stored)


def held_sightings(conn: Connection, value_ids: Sequence[int]) -> Iterable[HeldRow]:
    """Every sighting of the values `value_ids`, with the state of its item."""
    ids = sorted(value_ids)
    postgres = _postgres(conn)
    step = len(ids) if postgres else LOOKUP_CHUNK
    for start in range(0, len(ids), step or 1):
        chunk = {"ids": ids[start : start + step]}
        for value_id, item_id, origin, superseded, tombstoned in conn.execute(
            _PG_HELD if postgres else _HELD, chunk
        ):
            yield int(value_id), str(item_id), str(origin), superseded, bool(tombstoned)


def current_items(conn: Connection, item_ids: Sequence[str]) -> dict[str, bool]:
    """Whether each of `item_ids` is current as stored (neither superseded nor erased)."""
    ids = sorted(item_ids)
    current: dict[str, bool] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        found = conn.execute(_CURRENT, {"ids": ids[start : start + LOOKUP_CHUNK]})
        current.update({str(i): s is None and not dead for i, s, dead in found})
    return current


def insert_values(
    conn: Connection, rows: Sequence[Mapping[str, Any]]
) -> list[tuple[int, str, str]]:
    """Insert new values (type, value, first_seen, items, noisy); (id, type, value) of each."""
    if not rows:
        return []
    if _postgres(conn):
        made = conn.execute(_PG_NEW_VALUES, _arrays(rows))
    elif len(rows) <= FEW:  # why: one statement, where the bulk path below takes three
        return _insert_few(conn, rows)
    else:
        return _insert_many(conn, rows)
    return [(int(key), str(kind), str(value)) for key, kind, value in made]


def _insert_few(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """SQLite, a few rows: one INSERT … RETURNING through the driver's cursor."""
    as_stored = time_param(conn)
    params: list[Any] = []
    for row in rows:
        params += [row["type"], row["value"], as_stored(row["first_seen"])]
        params += [row["items"], bool(row["noisy"])]
    cursor = driver_cursor(conn)
    made = cursor.execute(_SQLITE_NEW_FEW.format(",".join(["(?,?,?,?,?)"] * len(rows))), params)
    found = [(int(key), str(kind), str(value)) for key, kind, value in made.fetchall()]
    cursor.close()
    return found


def time_param(conn: Connection) -> Callable[[datetime], Any]:
    """A time as the driver takes it: SQLite stores SQLAlchemy's text form (so rows written
    through the driver read back like the others), PostgreSQL takes datetimes."""
    kind = indicator_values.c.first_seen.type.dialect_impl(conn.dialect)
    process = kind.bind_processor(conn.dialect)
    return process if process is not None else (lambda when: when)


def _insert_many(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """SQLite, many rows: (id, type, value) of the rows inserted. One writer at a time
    (Store.write), so the ids above the last one are these rows: cheaper than RETURNING, which
    SQLAlchemy fetches row by row, and checked by the count."""
    last = conn.execute(_LAST_ID).scalar_one() or 0
    _executemany(conn, _NEW_VALUES, rows)
    made = [
        (int(key), str(kind), str(value))
        for key, kind, value in conn.execute(_MADE, {"last": last})
    ]
    if len(made) != len(rows):
        found = lookup_values(conn, {(str(r["type"]), str(r["value"])) for r in rows})
        made = [(key, kind, value) for key, kind, value, *_ in found]
    return made


def insert_sightings(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert sightings (value_id, item_id, origin, created, protected)."""
    if rows:
        _executemany(conn, _NEW_SIGHTINGS, rows)


def update_counts(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set the count and noisy flag of values (row_id, row_items, row_noisy)."""
    if rows:
        _executemany(conn, _COUNTS, rows)


# Built once: their prepared forms are cached by statement and dialect (driver_rows.py).
_NEW_VALUES = indicator_values.insert().inline()
_NEW_SIGHTINGS = sightings.insert().inline()
_COUNTS = (
    update(indicator_values)
    .where(indicator_values.c.id == bindparam("row_id"))
    .values({"items": bindparam("row_items"), "noisy": bindparam("row_noisy")})
)

# PostgreSQL: the sightings and the counts of a batch, one statement over arrays each (also
# the bulk load's, store/bulk_sql.py)
PG_SIGHTINGS = sql_text(
    "INSERT INTO sightings (value_id, item_id, origin, created, protected)"
    " SELECT * FROM unnest(CAST(:value_id AS integer[]), CAST(:item_id AS varchar[]),"
    " CAST(:origin AS varchar[]), CAST(:created AS timestamptz[]),"
    " CAST(:protected AS boolean[]))"
)
PG_COUNTS = sql_text(
    "UPDATE indicator_values AS v SET items = u.items, noisy = u.noisy"
    " FROM unnest(CAST(:row_id AS integer[]), CAST(:row_items AS integer[]),"
    " CAST(:row_noisy AS boolean[])) AS u(id, items, noisy) WHERE v.id = u.id"
)
_PG_BULK = {id(_NEW_SIGHTINGS): PG_SIGHTINGS, id(_COUNTS): PG_COUNTS}


def _arrays(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows as one array per column."""
    return {name: [row[name] for row in rows] for name in rows[0]}


def _executemany(
    conn: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> None:
    """PostgreSQL: one statement over arrays; SQLite: the driver's own executemany loop."""
    if _postgres(conn):
        conn.execute(_PG_BULK[id(statement)], _arrays(rows))
        return
    driver_rows.executemany(conn, statement, rows)
