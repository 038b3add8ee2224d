"""Many rows through the driver's own executemany, for the hottest writes of the item pipeline
(items and their audience, audit entries, feed facts, item text, outbox rows) and the SQLite
sightings path.

SQLAlchemy Core's per-row parameter handling costs more than SQLite's insert itself: here a
statement is compiled once per (statement, dialect, keys), each value goes through its column
type's bind processor (so what is stored is what Core stores: dates as Core writes them,
booleans as 0/1) and the rows go to `exec_driver_sql` in the caller's transaction, with
SQLAlchemy's events and error wrapping. PostgreSQL keeps Core's path in `insert_rows`: there
SQLAlchemy sends a batch as one multi-row INSERT, where psycopg's executemany sends one
statement per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, Update


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all have the same keys; the fast path on SQLite, Core's elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        plain_insert_rows(conn, table, rows)
        return
    executemany(conn, _insert_of(table), rows)


def plain_insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """The reference path (the differential tests compare against it)."""
    if rows:
        conn.execute(table.insert(), list(rows))


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)


_PREPARED: dict[tuple[int, str, tuple[str, ...]], _Prepared] = {}
_INSERTS: dict[str, Insert] = {}


def _insert_of(table: Table) -> Insert:
    # why: one statement object per table, so the prepared cache below keys on its id
    if table.name not in _INSERTS:
        _INSERTS[table.name] = table.insert().inline()
    return _INSERTS[table.name]


def executemany(
    conn: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Many rows (with the same keys) in one driver executemany; each distinct value goes
    through its type's bind processor once. `statement` must be built once, not per call."""
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
