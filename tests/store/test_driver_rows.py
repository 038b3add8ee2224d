"""The pipeline's hot inserts through store/driver_rows.py (the driver's executemany, bind
processing memoised per value) against plain SQLAlchemy execution of the same rows: the same
values stored, byte for byte, in every table the pipeline writes that way, and the same error
when a row is refused. On in-memory SQLite; on PostgreSQL insert_rows is Core's own path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    Table,
    create_engine,
    event,
)
from sqlalchemy.exc import IntegrityError

from csnet.store import driver_rows
from csnet.store.tables import (
    audit_log,
    feed_items,
    feed_tags,
    item_audience,
    item_text,
    items,
    metadata,
    outbox,
)
from tests.conftest import examples
from tests.strategies import aware_times

NOW = datetime(2024, 5, 1, tzinfo=UTC)
TABLES = [items, item_audience, item_text, feed_items, feed_tags, audit_log, outbox]
_times = aware_times


@contextmanager
def _database() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine, tables=TABLES)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _written(table: Table) -> list[Column[Any]]:
    """The columns the pipeline gives (item_text's id is the database's)."""
    return [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]


def _value(column: Column[Any], index: int, draw: st.DrawFn) -> Any:
    """A value of the column's type; text and numbers carry the row's index, so every row is
    unique whatever the table's keys."""
    if column.nullable and draw(st.booleans()):
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return draw(_times)
    if isinstance(kind, Boolean):
        return draw(st.booleans())
    if isinstance(kind, LargeBinary):
        return draw(st.binary(max_size=8)) + index.to_bytes(4, "big")
    if isinstance(kind, Integer | BigInteger):
        return index * 1000 + draw(st.integers(0, 999))
    return f"{index}-" + draw(st.text("ab\u00e9\n'%?", max_size=6))


@st.composite
def _rows(draw: st.DrawFn, table: Table) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 12))
    return [{c.name: _value(c, i, draw) for c in _written(table)} for i in range(count)]


def _stored(conn: Connection, table: Table) -> list[tuple[Any, ...]]:
    """Rows as the database holds them (no result processing), so the stored forms compare."""
    return sorted(conn.exec_driver_sql(f"SELECT * FROM {table.name}").all())


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
@settings(max_examples=examples(60))
@given(data=st.data())
def test_fast_inserts_store_what_plain_execution_stores(table: Table, data: st.DataObject) -> None:
    batches = data.draw(st.lists(_rows(table), min_size=1, max_size=3))
    with _database() as fast, _database() as plain:
        for number, drawn in enumerate(batches):
            # why: later batches keep rows unique (a batch's integers stay below 12 * 1000)
            offset = number * 100_000
            rows = [_shifted(row, offset) for row in drawn]
            driver_rows.insert_rows(fast, table, rows)
            driver_rows.plain_insert_rows(plain, table, rows)
        assert _stored(fast, table) == _stored(plain, table)
        assert len(_stored(fast, table)) == sum(len(rows) for rows in batches)


def _shifted(row: dict[str, Any], offset: int) -> dict[str, Any]:
    return {
        k: v + offset if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in row.items()
    } | {k: f"{offset}:{v}" for k, v in row.items() if isinstance(v, str)}


def test_a_refused_row_raises_what_core_raises_and_keeps_nothing_of_its_batch() -> None:
    row = {"item_id": "i1", "target": "node:n1"}
    with _database() as conn:
        driver_rows.insert_rows(conn, item_audience, [row])
        for insert in (driver_rows.insert_rows, driver_rows.plain_insert_rows):
            with pytest.raises(IntegrityError), conn.begin_nested():
                insert(conn, item_audience, [{"item_id": "i2", "target": "node:n2"}, row])
        assert _stored(conn, item_audience) == [("i1", "node:n1")]


def test_nothing_to_insert_runs_no_statement() -> None:
    """The pipeline calls it for every batch, tags or not: an empty one costs nothing."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    with _database() as conn:
        event.listen(conn, "before_cursor_execute", count)
        driver_rows.insert_rows(conn, feed_tags, [])
        driver_rows.insert_rows(conn, feed_tags, [{"item_id": "i", "tag": "t", "created": NOW}])
    assert seen == ["INSERT INTO feed_tags (item_id, tag, created) VALUES (?, ?, ?)"]
