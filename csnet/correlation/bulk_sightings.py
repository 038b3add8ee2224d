"""Bulk load of sightings: many items' indicator values stored in large batches, no hits.

`sightings.store` is the path of an item published or received: it reads every sighting of
the values it meets, to answer the hits the new items make. A large load (an archive of items,
a node's history brought in at once) needs no answer per item, since hits are never stored: they
are read from the sightings later. So a batch here reads only the values' rows and the
sightings its own items already have (a replayed item is not sighted twice), and writes the new
values, the sightings and the counts a statement each (executemany), not a statement per row,
through the driver (store/bulk_sql.py): at millions of identifiers the work around each row is
what costs. What it stores is exactly what `sightings.store` stores for the same items one by
one (tests/correlation/test_bulk_sightings.py).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

# why: one rule for counting an item and sighting it below the cap, the one-item path's own
from csnet.correlation.sightings import Sighted, _Batch, _Value, count_item
from csnet.node import Node
from csnet.store import bulk_sql, sightings_sql

Key = tuple[str, str]  # (type, canonical value)

BATCH_INDICATORS = 50_000  # per write transaction: large enough that statements are few


@dataclass
class Loaded:
    """What a load did: items and identifiers read, sightings and values written."""

    items: int = 0
    indicators: int = 0  # identifiers processed (sighted, counted as noisy, or already held)
    sightings: int = 0
    new_values: int = 0

    def add(self, other: Loaded) -> None:
        self.items += other.items
        self.indicators += other.indicators
        self.sightings += other.sightings
        self.new_values += other.new_values


def load(node: Node, news: Iterable[Sighted], *, batch: int = BATCH_INDICATORS) -> Loaded:
    """Store the sightings of `news` (their items already stored), one write transaction per
    `batch` identifiers or so, with this node's noisy cap."""
    cap = int(node.settings.correlation_noisy_after)
    now = node.now()
    total = Loaded()
    for chunk in _chunks(news, batch):
        with _no_cycle_collection(), node.store.write() as conn:
            total.add(store_batch(conn, chunk, now, cap=cap))
    return total


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused for one batch: a batch allocates hundreds of
    thousands of rows and tuples, none in a cycle, and each collection it set off walked every
    object the process holds, for nothing (about a sixth of the load's time). Paused only for a
    batch (about a second), so what else the process runs meanwhile is collected right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(news: Iterable[Sighted], batch: int) -> Iterator[list[Sighted]]:
    """Whole items, about `batch` identifiers a chunk."""
    chunk: list[Sighted] = []
    size = 0
    for new in news:
        chunk.append(new)
        size += len(new.keys)
        if size >= batch:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def store_batch(conn: Connection, news: Sequence[Sighted], now: datetime, *, cap: int) -> Loaded:
    """What `sightings.store` stores for `news`, in its order, without finding hits."""
    keys = {key for new in news for key in new.keys}
    # why: a held value's first_seen is never written back, only its count: `now` stands in
    values = {
        key: _Value(key_id, *key, now, count, noisy)
        for key, (key_id, count, noisy) in bulk_sql.held_values(conn, keys).items()
    }
    for kind, value in keys - values.keys():
        values[(kind, value)] = _Value(0, kind, value, now, 0, False)
    batch = _count(news, values, _marks(conn, news, values), cap)
    made = sorted(key for key, row in values.items() if not row.id)
    new_rows = [(*key, values[key].items, values[key].noisy) for key in made]
    for key, key_id in zip(made, bulk_sql.insert_values(conn, new_rows, now), strict=True):
        values[key].id = key_id
    as_time = sightings_sql.time_param(conn)
    created = {id(new): as_time(new.created) for new in news}
    # why: in key order, each entry lands next to the previous one (fewer pages touched)
    rows = sorted(
        (row.id, new.item_id, new.origin, created[id(new)], new.protected)
        for row, new in batch.sighted
    )
    bulk_sql.insert_sightings(conn, rows)
    bulk_sql.update_counts(conn, [(r.items, r.noisy, r.id) for r in batch.counted.values()])
    indicators = sum(len(new.keys) for new in news)
    return Loaded(len(news), indicators, len(rows), len(made))


def _marks(
    conn: Connection, news: Sequence[Sighted], values: Mapping[Key, _Value]
) -> dict[str, set[Key]]:
    """The values each item may already be sighted with, for the items that can be: those with
    sightings stored before (a replay), those listed twice in the batch, and those listing a
    value twice. Any other item is new to each of its values: it needs no such check."""
    key_of = {row.id: key for key, row in values.items() if row.id}
    marks: dict[str, set[Key]] = {}
    for value_id, item_id in bulk_sql.sighted_by_items(conn, sorted({n.item_id for n in news})):
        if value_id in key_of:
            marks.setdefault(item_id, set()).add(key_of[value_id])
    listed = Counter(new.item_id for new in news)
    for new in news:
        if listed[new.item_id] > 1 or len(set(new.keys)) < len(new.keys):
            marks.setdefault(new.item_id, set())
    return marks


def _count(
    news: Sequence[Sighted], values: Mapping[Key, _Value], marks: dict[str, set[Key]], cap: int
) -> _Batch:
    """`sightings._sight` without the hits: count each item for each of its values, and sight
    it below the cap; an item sighted with a value already is not counted again."""
    batch = _Batch()
    for new in news:
        seen = marks.get(new.item_id)
        for key in new.keys:
            if seen is None:
                count_item(values[key], new, False, cap, batch)
            elif count_item(values[key], new, key in seen, cap, batch):
                seen.add(key)
    return batch
