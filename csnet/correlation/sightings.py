"""Sightings: one row per canonical indicator value per item, and the hits a new item makes.

Called inside the write transaction that stores items (local publishing and items received
from peers), so a stored item always has its sightings. A hit is found through the value's
existing sightings, never stored as a pair: the store grows with values, not with pairs. A
value seen in more than `cap` items is noisy (a common prefix, a public hotline): it keeps its
first sightings and its count, and makes no more sightings or hits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, tuple_, update

from csnet.bus import Event
from csnet.handling.categories import PROTECTED_CATEGORIES, DataSubjectCategory
from csnet.indicators.base import NO_HINT, Hint, Indicator
from csnet.indicators.extract import extract
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store.tables import indicator_values, items, peers, sightings

TEXT_FIELDS = ("title", "text", "comment")  # free text of alerts, notes, replies and acks
SKIPPED_KINDS = frozenset({"tombstone", "group", "consent"})  # no case content
LOOKUP_CHUNK = 400  # values per IN query (SQLite's variable limit is far above)


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


def _texts(body: Mapping[str, Any]) -> Iterable[str]:
    for name in TEXT_FIELDS:
        value = body.get(name)
        if isinstance(value, str):
            yield value
    for person in body.get("persons") or ():
        # why: a victim's phone number is often written in the note about that person
        if isinstance(person, Mapping) and isinstance(person.get("note"), str):
            yield person["note"]


def indicators_of(env: Envelope, hint: Hint = NO_HINT) -> list[Indicator]:
    """Every distinct indicator in the item's free text, in text order."""
    if env.kind in SKIPPED_KINDS:
        return []
    found: dict[str, Indicator] = {}
    for text in _texts(env.body):
        for hit in extract(text, hint).found:
            found.setdefault(hit.indicator.key, hit.indicator)
    return list(found.values())


def is_protected(env: Envelope) -> bool:
    """The item carries data of a victim or smuggled migrant (markings or persons)."""
    categories = set(env.markings.subjects)
    for person in env.body.get("persons") or ():
        if isinstance(person, Mapping):
            try:
                categories.add(DataSubjectCategory(str(person.get("category"))))
            except ValueError:
                continue
    return bool(categories & PROTECTED_CATEGORIES)


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
    found = [(env, indicators_of(env, hints.get(env.origin, NO_HINT))) for env in envelopes]
    values = _values(conn, {(i.type, i.value) for _, found_in in found for i in found_in}, now)
    hits: list[Hit] = []
    for env, indicators in found:
        protected = is_protected(env)
        for indicator in indicators:
            row = values[(indicator.type, indicator.value)]
            hits.extend(_sight(conn, row, env, protected, cap))
    return hits


def _hints(conn: Connection, origins: set[str], known: Mapping[str, str]) -> dict[str, Hint]:
    """The origin node's country, where known: a number written without +CC is read there."""
    country = dict(known)
    wanted = origins - set(country)
    if wanted:
        query = select(peers.c.node_id, peers.c.country).where(peers.c.node_id.in_(wanted))
        country.update({str(node): str(c) for node, c in conn.execute(query)})
    return {origin: Hint(country=c) for origin, c in country.items() if c}


@dataclass
class _Value:
    id: int
    type: str
    value: str
    first_seen: datetime
    items: int
    noisy: bool


def _values(
    conn: Connection, keys: set[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], _Value]:
    """The rows of these values, created where new (first seen now, no items yet)."""
    v = indicator_values
    rows: dict[tuple[str, str], _Value] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        query = select(v.c.id, v.c.type, v.c.value, v.c.first_seen, v.c["items"], v.c.noisy).where(
            tuple_(v.c.type, v.c.value).in_(chunk)
        )
        for row in conn.execute(query):
            rows[(row.type, row.value)] = _Value(*row)
    for kind, value in ordered:
        if (kind, value) not in rows:
            new = {"type": kind, "value": value, "first_seen": now, "items": 0, "noisy": False}
            key = conn.execute(v.insert().values(**new)).inserted_primary_key
            assert key is not None  # an insert of one row has its key
            made = int(key[0])
            rows[(kind, value)] = _Value(made, kind, value, now, 0, False)
    return rows


def _sight(conn: Connection, row: _Value, env: Envelope, protected: bool, cap: int) -> list[Hit]:
    """Count the item for the value; below the cap, add its sighting and return its hits."""
    if row.noisy:
        _count(conn, row, noisy=True)
        return []
    held = _held(conn, row.id, cap)
    if env.id in held:
        return []  # why: an item stored again (a replayed batch) is not a new sighting
    if row.items + 1 > cap:
        _count(conn, row, noisy=True)
        return []
    _count(conn, row, noisy=False)
    conn.execute(
        sightings.insert().values(
            value_id=row.id,
            item_id=env.id,
            origin=env.origin,
            created=env.created,
            protected=protected,
        )
    )
    # why: a reply repeating its alert's number, or an ack, says nothing new about the alert
    linked = {env.replies_to, env.refers_to, env.supersedes}
    return [
        _hit(row, env, other, origin)
        for other, (origin, current) in held.items()
        if current and other not in linked
    ]


def _count(conn: Connection, row: _Value, *, noisy: bool) -> None:
    row.items += 1
    row.noisy = noisy
    v = indicator_values
    conn.execute(update(v).where(v.c.id == row.id).values({"items": row.items, "noisy": noisy}))


def _held(conn: Connection, value_id: int, cap: int) -> dict[str, tuple[str, bool]]:
    """item id → (origin, current) of the value's sightings, at most `cap` by construction.
    Superseded and erased versions are not current: the correction that replaced them is hit."""
    s, t = sightings, items
    query = (
        select(s.c.item_id, s.c.origin, t.c.superseded_by, t.c.tombstoned)
        .join(t, t.c.id == s.c.item_id)
        .where(s.c.value_id == value_id)
        .limit(cap)
    )
    return {
        str(item_id): (str(origin), superseded is None and not tombstoned)
        for item_id, origin, superseded, tombstoned in conn.execute(query)
    }


def _hit(row: _Value, env: Envelope, other_id: str, other_origin: str) -> Hit:
    return Hit(
        value_id=row.id,
        type=row.type,
        value=row.value,
        first_seen=row.first_seen,
        item_id=env.id,
        origin=env.origin,
        created=env.created,
        other_id=other_id,
        other_origin=other_origin,
    )


def events(hits: Sequence[Hit]) -> list[Event]:
    return [hit.event() for hit in hits]
