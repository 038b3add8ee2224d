"""The bulk load of sightings stores exactly what the one-item path stores for the same items,
stored one by one: the same values with the same counts and noisy flags, the same sightings
(replayed items, values held before the load, the noisy cap, batch boundaries anywhere)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from csnet.correlation import bulk_sightings, sightings
from csnet.node import Node
from csnet.store import bulk_sql
from csnet.store.engine import Store
from csnet.store.tables import indicator_values, items
from csnet.store.tables import sightings as sightings_table
from tests.conftest import FIXED_NOW, examples
from tests.databases import Databases

POOL = [("phone", f"+9230012345{i:02d}") for i in range(6)] + [("email", "a@b.example")]
ITEMS = 6


@pytest.fixture
def two_stores(tmp_path: Path, databases: Databases) -> Iterator[tuple[Store, Store]]:
    plain = Store(databases.url(tmp_path / "plain"))
    bulk = Store(databases.url(tmp_path / "bulk"))
    try:
        yield plain, bulk
    finally:
        plain.dispose()
        bulk.dispose()


def _item_id(index: int) -> str:
    return f"{index:064x}"


def _sighted(index: int, keys: Sequence[tuple[str, str]], protected: bool) -> sightings.Sighted:
    return sightings.Sighted(
        item_id=_item_id(index),
        origin=f"NODE-{index % 2}",
        created=FIXED_NOW - timedelta(minutes=index),
        protected=protected,
        linked=frozenset(),
        keys=tuple(keys),
    )


def _item_row(index: int) -> dict[str, Any]:
    return {
        "id": _item_id(index),
        "origin": f"NODE-{index % 2}",
        "seq": index + 1,
        "kind": "alert",
        "author": "officer",
        "created": FIXED_NOW - timedelta(minutes=index),
        "tlp": "TLP:AMBER",
        "envelope": b"{}",
        "tombstoned": False,
        "received": FIXED_NOW,
    }


def _fresh(store: Store) -> None:
    """An empty correlation store holding the items' rows (the sightings reference them)."""
    with store.write() as conn:
        conn.execute(delete(sightings_table))
        conn.execute(delete(indicator_values))
        conn.execute(delete(items))
        conn.execute(items.insert(), [_item_row(i) for i in range(ITEMS)])


def _stored(store: Store) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Values and sightings by what they are, not by id (ids depend on insertion order)."""
    v, s = indicator_values, sightings_table
    with store.read() as conn:
        values = {
            (r.type, r.value, r.first_seen, r.items, r.noisy)
            for r in conn.execute(
                select(v.c.type, v.c.value, v.c.first_seen, v.c["items"], v.c.noisy)
            )
        }
        seen = {
            tuple(r)
            for r in conn.execute(
                select(
                    v.c.type, v.c.value, s.c.item_id, s.c.origin, s.c.created, s.c.protected
                ).join(v, v.c.id == s.c.value_id)
            )
        }
    return values, seen


def _one_by_one(store: Store, news: Sequence[sightings.Sighted], now: datetime, cap: int) -> None:
    for new in news:
        with store.write() as conn:
            sightings.store(conn, [new], now, cap=cap)


def _in_batches(
    store: Store, news: Sequence[sightings.Sighted], now: datetime, cap: int, sizes: list[int]
) -> None:
    start = 0
    for size in [*sizes, len(news)]:
        chunk = news[start : start + size]
        if chunk:
            with store.write() as conn:
                bulk_sightings.store_batch(conn, chunk, now, cap=cap)
        start += size


# not unique: an item listing a value twice is sighted with it once, on both paths
item_keys = st.lists(st.sampled_from(POOL), min_size=0, max_size=4)


@settings(
    max_examples=examples(60),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    keys=st.lists(item_keys, min_size=ITEMS, max_size=ITEMS),
    protected=st.lists(st.booleans(), min_size=ITEMS, max_size=ITEMS),
    held_before=st.lists(st.integers(0, ITEMS - 1), max_size=4),
    loaded=st.lists(st.integers(0, ITEMS - 1), min_size=1, max_size=12),
    sizes=st.lists(st.integers(1, 5), max_size=6),
    cap=st.integers(1, 4),
)
def test_bulk_stores_what_one_by_one_stores(
    two_stores: tuple[Store, Store],
    monkeypatch: pytest.MonkeyPatch,
    keys: list[list[tuple[str, str]]],
    protected: list[bool],
    held_before: list[int],
    loaded: list[int],
    sizes: list[int],
    cap: int,
) -> None:
    plain, bulk = two_stores
    monkeypatch.setattr(bulk_sql, "IN_CHUNK", 2)  # why: lookups split across several lists
    item = [_sighted(i, keys[i], protected[i]) for i in range(ITEMS)]
    before = [item[i] for i in held_before]  # already held when the load starts
    news = [item[i] for i in loaded]  # repeated indexes: items loaded again (replays)
    later = FIXED_NOW + timedelta(hours=1)
    for store in (plain, bulk):
        _fresh(store)
        _one_by_one(store, before, FIXED_NOW, cap)
    _one_by_one(plain, news, later, cap)
    _in_batches(bulk, news, later, cap, sizes)
    assert _stored(bulk) == _stored(plain)


def test_load_reports_what_it_stored_in_batches(node: Node) -> None:
    node.settings = node.settings.replace(correlation_noisy_after=2)
    with node.store.write() as conn:
        conn.execute(items.insert(), [_item_row(i) for i in range(ITEMS)])
    shared = ("phone", "+923001234500")
    news = [_sighted(i, [shared, ("email", f"x{i}@b.example")], False) for i in range(ITEMS)]
    loaded = bulk_sightings.load(node, news, batch=4)  # two items a transaction
    assert (loaded.items, loaded.indicators) == (ITEMS, 2 * ITEMS)
    assert loaded.sightings == 2 + ITEMS  # the shared value stops being sighted at the cap
    assert loaded.new_values == 1 + ITEMS
    with node.store.read() as conn:
        counted = conn.execute(
            select(indicator_values.c["items"], indicator_values.c.noisy).where(
                indicator_values.c.value == shared[1]
            )
        ).one()
    assert tuple(counted) == (ITEMS, True)


def test_values_loaded_in_bulk_keep_their_ids_apart_from_later_ones(node: Node) -> None:
    """The bulk path numbers its new values itself: the one-item path, after it, numbers its own
    above them, and each sighting stays with its value."""
    with node.store.write() as conn:
        conn.execute(items.insert(), [_item_row(i) for i in range(ITEMS)])
    first = [_sighted(i, [("email", f"x{i}@b.example")], False) for i in range(ITEMS - 1)]
    bulk_sightings.load(node, first)
    last = _sighted(ITEMS - 1, [("email", "late@b.example"), ("email", "x0@b.example")], False)
    with node.store.write() as conn:
        hits = sightings.store(conn, [last], FIXED_NOW, cap=50)
    assert [hit.other_id for hit in hits] == [_item_id(0)]
    v, s = indicator_values, sightings_table
    with node.store.read() as conn:
        pairs = set(conn.execute(select(v.c.value, s.c.item_id).join(s, s.c.value_id == v.c.id)))
        ids = [row.id for row in conn.execute(select(v.c.id))]
    assert len(set(ids)) == len(ids) == ITEMS
    assert ("late@b.example", _item_id(ITEMS - 1)) in pairs
    assert ("x3@b.example", _item_id(3)) in pairs


def test_load_leaves_the_cycle_collector_as_it_found_it(node: Node) -> None:
    with node.store.write() as conn:
        conn.execute(items.insert(), [_item_row(0)])
    assert gc.isenabled()
    bulk_sightings.load(node, [_sighted(0, POOL[:2], False)])
    assert gc.isenabled()
