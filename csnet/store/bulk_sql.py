"""The statements of the bulk load of sightings (correlation/bulk_sightings.py), per dialect.

A load of millions of identifiers is bound by the work around each row, not by the database's
own: on SQLite every statement here goes to the driver's cursor on the transaction's connection
(rows in and out as plain tuples, none of SQLAlchemy's per-row handling), with large IN lists,
and new values get their ids here, above the highest held, so no id has to be read back. That is
safe because a write transaction on SQLite begins IMMEDIATE (store/engine.py): no other writer
can take an id between the read and the insert. On PostgreSQL each step is one statement over
arrays, the forms sightings_sql.py already holds for the one-item path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import text as sql_text

from csnet.store import sightings_sql

ValueCount = tuple[int, int, bool]  # a held value's (id, items, noisy)
NewValue = tuple[str, str, int, bool]  # (type, value, items, noisy) of a value new in the batch
Sighting = tuple[int, str, str, Any, bool]  # (value_id, item_id, origin, created, protected)
Count = tuple[int, bool, int]  # (items, noisy, value id): a held value's new count

IN_CHUNK = 2000  # values per IN list: SQLite allows 32,766 variables; fewer statements here

_SQLITE_LOOKUP = "SELECT id, value, items, noisy FROM indicator_values WHERE type = ? AND value IN "
_SQLITE_HELD = "SELECT value_id, item_id FROM sightings WHERE item_id IN "
_SQLITE_NEW_VALUES = (
    "INSERT INTO indicator_values (id, type, value, first_seen, items, noisy)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_SQLITE_SIGHTINGS = (
    "INSERT INTO sightings (value_id, item_id, origin, created, protected) VALUES (?, ?, ?, ?, ?)"
)
_SQLITE_COUNTS = "UPDATE indicator_values SET items = ?, noisy = ? WHERE id = ?"
_PG_HELD = sql_text(
    "SELECT value_id, item_id FROM sightings WHERE item_id = ANY(CAST(:ids AS varchar[]))"
)


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _placeholders(count: int) -> str:
    return "(" + ",".join("?" * count) + ")"


def held_values(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], ValueCount]:
    """(id, items, noisy) of the values among `keys` (type, canonical value) already held."""
    by_type: dict[str, list[str]] = {}
    for kind, value in keys:
        by_type.setdefault(kind, []).append(value)
    if _postgres(conn):
        wanted = {(kind, value) for kind, values in by_type.items() for value in values}
        rows = sightings_sql.lookup_values(conn, wanted)
        return {(kind, value): (key, count, noisy) for key, kind, value, _, count, noisy in rows}
    cursor = sightings_sql.driver_cursor(conn)
    held: dict[tuple[str, str], ValueCount] = {}
    for kind, values in by_type.items():
        values.sort()  # why: the unique index is probed in its own order
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            cursor.execute(_SQLITE_LOOKUP + _placeholders(len(chunk)), [kind, *chunk])
            for key, value, count, noisy in cursor.fetchall():
                held[(kind, value)] = (key, count, bool(noisy))
    cursor.close()
    return held


def sighted_by_items(conn: Connection, item_ids: Sequence[str]) -> list[tuple[int, str]]:
    """(value_id, item_id) of every sighting the items `item_ids` already have."""
    if not item_ids:
        return []
    if _postgres(conn):
        found = conn.execute(_PG_HELD, {"ids": list(item_ids)})
        return [(int(value_id), str(item_id)) for value_id, item_id in found]
    cursor = sightings_sql.driver_cursor(conn)
    held: list[tuple[int, str]] = []
    for start in range(0, len(item_ids), IN_CHUNK):
        chunk = item_ids[start : start + IN_CHUNK]
        cursor.execute(_SQLITE_HELD + _placeholders(len(chunk)), chunk)
        held += cursor.fetchall()
    cursor.close()
    return held


def insert_values(conn: Connection, rows: Sequence[NewValue], first_seen: datetime) -> list[int]:
    """Insert values new in the batch, first seen at `first_seen`; their ids, in `rows`' order."""
    if not rows:
        return []
    if _postgres(conn):
        made = sightings_sql.insert_values(
            conn,
            [
                {"type": kind, "value": value, "first_seen": first_seen}
                | {"items": count, "noisy": noisy}
                for kind, value, count, noisy in rows
            ],
        )
        made_ids = {(kind, value): key for key, kind, value in made}
        return [made_ids[(kind, value)] for kind, value, _, _ in rows]
    cursor = sightings_sql.driver_cursor(conn)
    cursor.execute("SELECT max(id) FROM indicator_values")
    last = int(cursor.fetchone()[0] or 0)
    seen = sightings_sql.time_param(conn)(first_seen)
    ids = list(range(last + 1, last + 1 + len(rows)))
    cursor.executemany(
        _SQLITE_NEW_VALUES,
        [(key, *row[:2], seen, *row[2:]) for key, row in zip(ids, rows, strict=True)],
    )
    cursor.close()
    return ids


def insert_sightings(conn: Connection, rows: Sequence[Sighting]) -> None:
    """Insert sightings; `created` already in the form of `time_param`."""
    if not rows:
        return
    if _postgres(conn):
        names = ("value_id", "item_id", "origin", "created", "protected")
        columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
        conn.execute(sightings_sql.PG_SIGHTINGS, columns)
        return
    cursor = sightings_sql.driver_cursor(conn)
    cursor.executemany(_SQLITE_SIGHTINGS, rows)
    cursor.close()


def update_counts(conn: Connection, rows: Sequence[Count]) -> None:
    """Set the count and the noisy flag of values held before the batch."""
    if not rows:
        return
    if _postgres(conn):
        names = ("row_items", "row_noisy", "row_id")
        conn.execute(
            sightings_sql.PG_COUNTS,
            {name: [row[i] for row in rows] for i, name in enumerate(names)},
        )
        return
    cursor = sightings_sql.driver_cursor(conn)
    cursor.executemany(_SQLITE_COUNTS, rows)
    cursor.close()
