"""The bulk writes of store/sightings_sql.py (the driver's executemany, fed from a cache of
compiled statements, with bind processing memoised per value) against plain SQLAlchemy
execution of the same rows: the same table afterwards. On in-memory SQLite databases of the
two tables; the PostgreSQL statements are run by the store-marked sightings tests in CI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, select, update

from csnet.store import sightings_sql
from csnet.store.tables import indicator_values, items, metadata, sightings
from tests.conftest import examples
from tests.strategies import aware_times

_times = aware_times
_pairs = st.tuples(st.sampled_from(["phone", "iban", "wallet"]), st.text("ab\u00e9", max_size=4))
# a few values (one statement each) or more than FEW (the bulk path, three statements)
_values = st.one_of(
    st.lists(_pairs, max_size=sightings_sql.FEW, unique=True),
    st.lists(_pairs, min_size=sightings_sql.FEW + 1, max_size=2 * sightings_sql.FEW, unique=True),
)


@contextmanager
def _database() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine, tables=[indicator_values, sightings])
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _table(conn: Connection, table: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in conn.execute(select(table)))


@settings(max_examples=examples(100))
@given(
    values=_values,
    times=st.lists(_times, min_size=1, max_size=5),
    flags=st.lists(st.booleans(), min_size=1, max_size=5),
)
def test_bulk_writes_store_what_plain_execution_stores(
    values: list[tuple[str, str]], times: list[datetime], flags: list[bool]
) -> None:
    new = [
        {"type": kind, "value": value, "first_seen": times[i % len(times)]}
        | {"items": i, "noisy": flags[i % len(flags)]}
        for i, (kind, value) in enumerate(values)
    ]
    with _database() as fast, _database() as plain:
        made = sightings_sql.insert_values(fast, new)
        if new:
            plain.execute(indicator_values.insert(), new)
        assert _table(fast, indicator_values) == _table(plain, indicator_values)
        assert sorted(made) == [(i, t, v) for i, t, v, *_ in _table(plain, indicator_values)]

        seen = [
            {"value_id": key, "item_id": f"{n:064x}", "origin": "csn" + "a" * 24}
            | {"created": times[n % len(times)], "protected": flags[n % len(flags)]}
            for n, (key, _kind, _value) in enumerate(made)
        ]
        sightings_sql.insert_sightings(fast, seen)
        if seen:
            plain.execute(sightings.insert(), seen)
        assert _table(fast, sightings) == _table(plain, sightings)

        counts = [
            {"row_id": key, "row_items": key * 3, "row_noisy": key % 2 == 0} for key, *_ in made
        ]
        sightings_sql.update_counts(fast, counts)
        for row in counts:
            plain.execute(
                update(indicator_values)
                .where(indicator_values.c.id == row["row_id"])
                .values(items=row["row_items"], noisy=row["row_noisy"])
            )
        assert _table(fast, indicator_values) == _table(plain, indicator_values)
        asked = {(kind, value) for kind, value in values[::2]} | {("phone", "never stored")}
        found = sightings_sql.lookup_values(fast, asked)
        assert sorted(found) == [
            row for row in _table(plain, indicator_values) if row[1:3] in asked
        ]


def _item(index: int, superseded_by: str | None, tombstoned: bool) -> dict[str, Any]:
    when = datetime(2024, 5, 1, tzinfo=UTC)
    return {"id": f"{index:064x}", "origin": "csn-a", "seq": index + 1, "kind": "alert"} | {
        "author": "officer",
        "created": when,
        "tlp": "TLP:AMBER",
        "envelope": b"{}",
        "tombstoned": tombstoned,
        "received": when,
        "superseded_by": superseded_by,
    }


def test_values_with_their_sightings_in_one_statement_as_in_two() -> None:
    """The few-values form (one join through the driver) returns what lookup_values and
    held_sightings return: noisy values without sightings, items' state, no pair not asked."""
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    when = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    stored = [("phone", "+1"), ("phone", "+2"), ("email", "+1"), ("email", "a@b"), ("iban", "X")]
    try:
        with engine.begin() as conn:
            conn.execute(items.insert(), [_item(0, None, False), _item(1, "f" * 64, False)])
            conn.execute(items.insert(), [_item(2, None, True)])
            made = sightings_sql.insert_values(
                conn,
                [
                    {"type": kind, "value": value, "first_seen": when}
                    | {"items": n, "noisy": kind == "email"}
                    for n, (kind, value) in enumerate(stored)
                ],
            )
            conn.execute(
                sightings.insert(),
                [
                    {"value_id": key, "item_id": f"{n:064x}", "origin": "csn-a"}
                    | {"created": when, "protected": False}
                    for key, _, _ in made
                    for n in range(3)
                    if (key + n) % 2 == 0 or key == 1
                ],
            )
            asked = {("phone", "+1"), ("email", "a@b"), ("iban", "X"), ("iban", "none")}
            rows, held = sightings_sql.values_and_held(conn, asked)
            reference = sightings_sql.lookup_values(conn, asked)
            not_noisy = [row[0] for row in reference if not row[5]]
            assert sorted(rows) == sorted(reference)
            assert {row[1:3] for row in rows} == asked - {("iban", "none")}
            assert sorted(held) == sorted(sightings_sql.held_sightings(conn, not_noisy))
            assert any(row[3] for row in held) and any(row[4] for row in held)
    finally:
        engine.dispose()
