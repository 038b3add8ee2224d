"""Bulk load of sightings: many items' indicator values stored in large batches, no hits.

`sightings.store` is the path of an item published or received: it reads every sighting of
the values it meets, to answer the hits the new items make. A large load (an archive of items,
a node's history brought in at once) needs no answer per item, since hits are never stored: they
are read from the sightings later. So a batch here reads only the values' rows and the
sightings its own items already have (a replayed item is not sighted twice), and writes the new
values, the sightings and the counts a statement each (executemany), not a statement per row.
What it stores is exactly what `sightings.store` stores for the same items one by one
(tests/correlation/test_bulk_sightings.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

# why: the storing statements and their driver-level fast path are the one-item path's own;
# sharing them keeps one definition of a stored value and a stored sighting
from csnet.correlation.sightings import (
    Sighted,
    _Batch,
    _create,
    _existing,
    _key,
    _Value,
    _write,
    count_item,
)
from csnet.node import Node
from csnet.store.sightings_sql import LOOKUP_CHUNK
from csnet.store.tables import sightings

Held = tuple[tuple[str, str], str]  # ((type, value), item id): a sighting stored

BATCH_INDICATORS = 50_000  # per write transaction: large enough that statements are few

_SIGHTED_ITEMS = select(sightings.c.value_id, sightings.c.item_id).where(
    sightings.c.item_id.in_(bindparam("ids", expanding=True))
)


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
        with node.store.write() as conn:
            total.add(store_batch(conn, chunk, now, cap=cap))
    return total


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
    values = _existing(conn, keys)
    for kind, value in keys - values.keys():
        values[(kind, value)] = _Value(0, kind, value, now, 0, False)
    held = _held_by_items(conn, sorted({new.item_id for new in news}), values)
    batch = _Batch()
    for new in news:
        for key in new.keys:
            _count(values[key], new, cap, held, batch)
    made = sorted((row for row in values.values() if not row.id), key=_key)
    _create(conn, made)
    _write(conn, batch)
    indicators = sum(len(new.keys) for new in news)
    return Loaded(len(news), indicators, len(batch.sighted), len(made))


def _held_by_items(
    conn: Connection, item_ids: Sequence[str], values: Mapping[tuple[str, str], _Value]
) -> set[Held]:
    """(value, item) of the sightings these items already have, for the values of the batch."""
    key_of = {row.id: key for key, row in values.items() if row.id}
    held: set[Held] = set()
    for start in range(0, len(item_ids), LOOKUP_CHUNK):
        found = conn.execute(_SIGHTED_ITEMS, {"ids": item_ids[start : start + LOOKUP_CHUNK]})
        held.update((key_of[v], str(i)) for v, i in found if v in key_of)
    return held


def _count(row: _Value, new: Sighted, cap: int, held: set[Held], batch: _Batch) -> None:
    """`sightings._sight` without the hits: count the item, and sight it below the cap."""
    mark = (_key(row), new.item_id)
    if count_item(row, new, mark in held, cap, batch):
        held.add(mark)
