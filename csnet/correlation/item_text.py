"""The text projection of items: their searchable words, written in the transaction that stores
them (the item pipeline, csnet/pipeline/) and erased with them (FK cascade).

A LIKE over the signed envelopes does not scale; the words go to table `item_text`, indexed per
dialect by migration 0010: SQLite FTS5 (`item_text_fts`, external content) or PostgreSQL's
to_tsvector('simple', …) GIN index. The dialect differences are all in csnet/store/text_index.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from csnet.items.envelope import Envelope
from csnet.store import driver_rows, text_index
from csnet.store.tables import item_text, items

FIELDS = ("title", "text", "comment", "context", "route")
SKIPPED_KINDS = frozenset({"tombstone", "group", "consent", "ack"})  # no words worth finding
MAX_TERMS = 12
MAX_QUERY = 500
_WORD = re.compile(r"\w+")


def words_of(kind: str, body: Mapping[str, Any]) -> str:
    """What a member may search an item by: its free text, tags, route and place name."""
    if kind in SKIPPED_KINDS:
        return ""
    parts = [str(body[f]) for f in FIELDS if isinstance(body.get(f), str)]
    tags = body.get("tags")
    if isinstance(tags, list):
        parts.extend(str(t) for t in tags if isinstance(t, str))
    place = body.get("place")
    if isinstance(place, Mapping) and isinstance(place.get("name"), str):
        parts.append(str(place["name"]))
    return "\n".join(p for p in parts if p.strip())


def index(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    """Store the words of newly stored items: the pipeline gives each item once, when it is
    first stored (csnet/pipeline/apply.py), so nothing is asked of the table first."""
    rows = [
        {
            "item_id": env.id,
            "kind": env.kind,
            "origin": env.origin,
            "created": env.created,
            "text": text,
        }
        for env in envelopes
        if (text := words_of(env.kind, env.body))
    ]
    driver_rows.insert_rows(conn, item_text, rows)


def terms(text: str) -> list[str]:
    """The words of a query, lowercased: only word characters reach the full-text syntax."""
    return [w.lower() for w in _WORD.findall(text[:MAX_QUERY])][:MAX_TERMS]


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    origin: str | None = None
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before


def candidates(
    conn: Connection,
    words: Sequence[str],
    filters: Filters,
    *,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[tuple[datetime, str]]:
    """(created, item id) of current items whose words match, newest first."""
    t = item_text
    query = (
        select(t.c.created, t.c.item_id)
        .join(items, items.c.id == t.c.item_id)
        .where(text_index.matches(conn, words), items.c.superseded_by.is_(None))
        .where(items.c.tombstoned.is_(False))
    )
    if filters.kinds:
        query = query.where(t.c.kind.in_(filters.kinds))
    if filters.origin:
        query = query.where(t.c.origin == filters.origin)
    if filters.since is not None:
        query = query.where(t.c.created >= filters.since)
    if filters.until is not None:
        query = query.where(t.c.created < filters.until)
    if before is not None:
        at, item_id = before
        query = query.where(or_(t.c.created < at, and_(t.c.created == at, t.c.item_id < item_id)))
    query = query.order_by(t.c.created.desc(), t.c.item_id.desc()).limit(limit)
    return [(row.created, str(row.item_id)) for row in conn.execute(query)]
