"""Persistence of signed items: the verbatim envelope plus the columns that are queried."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, func, or_, select, update

from csnet.items import links
from csnet.items.envelope import Envelope
from csnet.store import driver_rows, tables

T = tables.items
ITEM_ID_LENGTH = 64
_KEYS_PER_QUERY = 500  # (origin, seq) pairs per statement: a batch's worth, two parameters each

SeqKey = tuple[str, int]  # (origin, seq): names at most one item (uq_items_origin_seq)

# Built once, so SQLAlchemy's statement cache finds them without building them on every item
# (building a statement costs more than SQLite running it).
_S = tables.origin_sequence
_LAST_SEQ = select(_S.c.last_seq).where(_S.c.origin == bindparam("seq_origin"))
_SET_LAST_SEQ = (
    update(_S).where(_S.c.origin == bindparam("seq_origin")).values(last_seq=bindparam("seq_to"))
)
_HELD_IDS = select(T.c.id).where(T.c.id.in_(bindparam("ids", expanding=True)))
_TOMBSTONES_OF = select(T.c.origin, T.c.refers_to).where(
    T.c.kind == links.TOMBSTONE, T.c.refers_to.in_(bindparam("ids", expanding=True))
)
_CORRECTIONS_OF = (
    select(T.c.id, T.c.origin, T.c.kind, T.c.supersedes)
    .where(T.c.supersedes.in_(bindparam("ids", expanding=True)), T.c.kind != links.TOMBSTONE)
    .order_by(T.c.seq)
)


@dataclass(frozen=True)
class StoredItem:
    envelope: Envelope
    raw: bytes
    superseded_by: str | None
    tombstoned: bool
    received: datetime


def next_seq(conn: Connection, origin: str) -> int:
    """Allocate the next origin sequence number (inside the single-writer transaction)."""
    row = conn.execute(_LAST_SEQ, {"seq_origin": origin}).first()
    if row is None:
        conn.execute(_S.insert().values(origin=origin, last_seq=1))
        return 1
    value = int(row[0]) + 1
    conn.execute(_SET_LAST_SEQ, {"seq_origin": origin, "seq_to": value})
    return value


def last_seq(conn: Connection, origin: str) -> int:
    """The highest seq allocated to `origin` so far; 0 before its first item."""
    seqs = tables.origin_sequence
    return int(conn.execute(select(seqs.c.last_seq).where(seqs.c.origin == origin)).scalar() or 0)


def reserve_seqs(conn: Connection, origin: str, count: int) -> int:
    """Reserve `count` consecutive numbers; returns the first."""
    first = next_seq(conn, origin)
    if count > 1:
        conn.execute(_SET_LAST_SEQ, {"seq_origin": origin, "seq_to": first + count - 1})
    return first


def seq_holders(conn: Connection, keys: Iterable[SeqKey]) -> dict[SeqKey, str]:
    """The id of the item held under each of these (origin, seq) pairs, where one is held.

    One statement per 500 pairs (not one per item): receiving a batch asks this twice."""
    wanted = sorted(set(keys))
    found: dict[SeqKey, str] = {}
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        query = select(T.c.origin, T.c.seq, T.c.id).where(
            _any_of(wanted[start : start + _KEYS_PER_QUERY])
        )
        found.update({(origin, int(seq)): item_id for origin, seq, item_id in conn.execute(query)})
    return found


def _any_of(keys: Sequence[SeqKey]) -> ColumnElement[bool]:
    """origin = ? AND seq IN (...), OR-ed per origin: both SQLite and PostgreSQL search the
    (origin, seq) index for each (SQLite scans the table for a row-value IN list)."""
    seqs: dict[str, list[int]] = {}
    for origin, seq in keys:
        seqs.setdefault(origin, []).append(seq)
    return or_(*(and_(T.c.origin == o, T.c.seq.in_(s)) for o, s in seqs.items()))


def _item_row(env: Envelope, raw: bytes, now: datetime) -> dict[str, object]:
    return {
        "id": env.id,
        "origin": env.origin,
        "seq": env.seq,
        "kind": env.kind,
        "author": env.author,
        "created": env.created,
        "tlp": env.markings.tlp.value,
        "supersedes": env.supersedes,
        "replies_to": env.replies_to,
        "refers_to": env.refers_to,
        "envelope": raw,
        "superseded_by": None,
        "tombstoned": False,
        "received": now,
    }


def audience_targets(env: Envelope) -> list[str]:
    return [f"node:{n}" for n in env.audience.nodes] + [f"group:{g}" for g in env.audience.groups]


@dataclass(frozen=True)
class Inserted:
    stored: list[Envelope]  # stored now and still held
    erased: list[Envelope]  # not held before, but erased on arrival (a tombstone of its origin)


def insert_items(
    conn: Connection, pairs: Sequence[tuple[Envelope, bytes]], now: datetime
) -> list[Envelope]:
    """The items `store_items` stored."""
    return store_items(conn, pairs, now).stored


def store_items(
    conn: Connection, pairs: Sequence[tuple[Envelope, bytes]], now: datetime
) -> Inserted:
    """Insert items not yet held (idempotent by id) and apply their links as the link rule
    (csnet/items/links.py) allows.

    Links work whichever end arrives first: a target whose erasure by its own origin is held
    (or comes in the same batch) is never stored, and a correction held before its target
    marks the target as superseded when it arrives.
    """
    if not pairs:
        return Inserted([], [])
    ids = [env.id for env, _ in pairs]
    held = set(conn.execute(_HELD_IDS, {"ids": ids}).scalars())
    fresh = [(env, raw) for env, raw in pairs if env.id not in held]
    if not fresh:
        return Inserted([], [])
    erased = _erased_on_arrival(conn, [env for env, _ in fresh])
    kept = [(env, raw) for env, raw in fresh if env.id not in erased]
    if kept:
        _insert_rows(conn, kept, now)
    for env in erased.values():
        _erase_earlier_version(conn, env)
    for env, _ in kept:
        _apply_links(conn, env)
    _apply_earlier_corrections(conn, [env for env, _ in kept])
    stored = [env for env, _ in kept]
    if erased or any(env.kind == links.TOMBSTONE for env in stored):
        present = set(conn.execute(_HELD_IDS, {"ids": ids}).scalars())
        stored = [env for env in stored if env.id in present]
    kept_ids = {env.id for env in stored}
    return Inserted(stored, [env for env, _ in fresh if env.id not in kept_ids])


def _insert_rows(conn: Connection, kept: Sequence[tuple[Envelope, bytes]], now: datetime) -> None:
    driver_rows.insert_rows(conn, T, [_item_row(env, raw, now) for env, raw in kept])
    audience = [
        {"item_id": env.id, "target": target} for env, _ in kept for target in audience_targets(env)
    ]
    driver_rows.insert_rows(conn, tables.item_audience, audience)


def _target(conn: Connection, item_id: str) -> links.Target | None:
    columns = (T.c.origin, T.c.author, T.c.kind, T.c.superseded_by)
    row = conn.execute(select(*columns).where(T.c.id == item_id)).first()
    return None if row is None else links.Target(item_id, row[0], row[1], row[2], row[3])


def _as_target(env: Envelope) -> links.Target:
    return links.Target(env.id, env.origin, env.author, env.kind)


def _erased_on_arrival(conn: Connection, fresh: Sequence[Envelope]) -> dict[str, Envelope]:
    """The fresh items a tombstone of their own origin (held, or in this batch) erases."""
    by_id = {env.id: env for env in fresh}
    tombs = [(e.origin, e.refers_to) for e in fresh if e.kind == links.TOMBSTONE]
    held = conn.execute(_TOMBSTONES_OF, {"ids": list(by_id)})
    tombs += [(str(origin), str(target)) for origin, target in held]
    return {
        target: by_id[target]
        for origin, target in tombs
        if target in by_id and links.takes_effect(origin, _as_target(by_id[target]))
    }


def _erase_earlier_version(conn: Connection, env: Envelope) -> None:
    """An item erased on arrival takes the versions it corrected with it."""
    if env.supersedes is not None:
        target = _target(conn, env.supersedes)
        if target is not None and links.takes_effect(env.origin, target):
            erase_versions(conn, target.id)


def _apply_links(conn: Connection, env: Envelope) -> None:
    link = env.refers_to if env.kind == links.TOMBSTONE else env.supersedes
    target = None if link is None else _target(conn, link)
    if target is None or not links.takes_effect(env.origin, target):
        return  # not held (yet), or from another origin: it changes nothing
    if env.kind == links.TOMBSTONE:
        erase_versions(conn, target.id)
    elif links.corrects(env.origin, env.kind, target):  # why: its target may share its batch
        conn.execute(update(T).where(T.c.id == target.id).values(superseded_by=env.id))


def _apply_earlier_corrections(conn: Connection, stored: Sequence[Envelope]) -> None:
    """Corrections held before their target arrived: the newest of its own origin and kind
    applies (one of another kind was kept unjudged against the target, and changes nothing)."""
    by_id = {env.id: env for env in stored}
    if not by_id:
        return
    corrections = list(conn.execute(_CORRECTIONS_OF, {"ids": list(by_id)}))
    for item_id, origin, kind, target_id in corrections:
        if item_id != target_id and links.corrects(origin, kind, _as_target(by_id[target_id])):
            conn.execute(update(T).where(T.c.id == target_id).values(superseded_by=item_id))


def erase_versions(conn: Connection, item_id: str) -> list[str]:
    """Delete an item and every earlier version it corrected (LED Art 16: erased, not hidden);
    the walk stays within the item's origin and kind (another origin's version, or an item a
    correction of another kind named, is never its earlier version)."""
    erased: list[str] = []
    current: str | None = item_id
    first: links.Target | None = None
    while current is not None and current not in erased:
        version = _target(conn, current)
        if version is None or (first and not links.corrects(first.origin, first.kind, version)):
            break
        first = first or version
        erased.append(current)
        current = conn.execute(select(T.c.supersedes).where(T.c.id == current)).scalar()
    if erased:
        _erase_sightings(conn, erased)
        conn.execute(
            tables.item_audience.delete().where(tables.item_audience.c.item_id.in_(erased))
        )
        conn.execute(T.delete().where(T.c.id.in_(erased)))
    return erased


def _erase_sightings(conn: Connection, item_ids: list[str]) -> None:
    """Erased items lose their sightings, and a value no other item holds goes too: the
    identifier itself may be personal data (LED Art 16). Counts drop by the sightings removed
    (items past a noisy value's cap had none, so a noisy count stays an upper bound)."""
    s, v = tables.sightings, tables.indicator_values
    per_value = select(s.c.value_id, func.count()).where(s.c.item_id.in_(item_ids))
    removed = {int(v_id): int(n) for v_id, n in conn.execute(per_value.group_by(s.c.value_id))}
    if not removed:
        return
    conn.execute(s.delete().where(s.c.item_id.in_(item_ids)))
    for value_id, count in removed.items():
        conn.execute(update(v).where(v.c.id == value_id).values({"items": v.c["items"] - count}))
    still_held = select(s.c.value_id).where(s.c.value_id == v.c.id).exists()
    conn.execute(v.delete().where(v.c.id.in_(list(removed)), ~still_held))


def _stored(row: Sequence[Any]) -> StoredItem:
    raw = bytes(row[0])
    return StoredItem(Envelope.model_validate_json(raw), raw, row[1], bool(row[2]), row[3])


_COLUMNS = (T.c.envelope, T.c.superseded_by, T.c.tombstoned, T.c.received)


def resolve_id(conn: Connection, id_or_prefix: str) -> str | None:
    """A full item id for a unique prefix (people copy the short ids lists show)."""
    if len(id_or_prefix) == ITEM_ID_LENGTH:
        return id_or_prefix
    query = select(T.c.id).where(T.c.id.startswith(id_or_prefix, autoescape=True)).limit(2)
    found = list(conn.execute(query).scalars())
    return found[0] if len(found) == 1 else None


def get_item(conn: Connection, item_id: str) -> StoredItem | None:
    row = conn.execute(select(*_COLUMNS).where(T.c.id == item_id)).first()
    return None if row is None else _stored(row)


def list_items(
    conn: Connection,
    *,
    kinds: Sequence[str],
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
    include_hidden: bool = False,
) -> list[StoredItem]:
    """Newest first, keyset-paged on (created, id); superseded and erased items hidden."""
    query = select(*_COLUMNS).where(T.c.kind.in_(kinds))
    if not include_hidden:
        query = query.where(T.c.superseded_by.is_(None), T.c.tombstoned.is_(False))
    if before is not None:
        created, item_id = before
        query = query.where(
            or_(T.c.created < created, and_(T.c.created == created, T.c.id < item_id))
        )
    query = query.order_by(T.c.created.desc(), T.c.id.desc()).limit(limit)
    return [_stored(row) for row in conn.execute(query)]


def linked_items(conn: Connection, item_id: str, kind: str) -> list[StoredItem]:
    """Replies (by replies_to) or acknowledgements (by refers_to) of an item, oldest first."""
    column = T.c.replies_to if kind == "reply" else T.c.refers_to
    query = (
        select(*_COLUMNS)
        .where(column == item_id, T.c.kind == kind, T.c.tombstoned.is_(False))
        .order_by(T.c.created, T.c.id)
    )
    return [_stored(row) for row in conn.execute(query)]


def count_items(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(T)).scalar_one())


__all__ = [
    "Inserted",
    "SeqKey",
    "StoredItem",
    "audience_targets",
    "count_items",
    "get_item",
    "insert_items",
    "last_seq",
    "linked_items",
    "list_items",
    "next_seq",
    "reserve_seqs",
    "seq_holders",
    "store_items",
]
