"""The full-text match of `item_text` per dialect (migration 0010 builds the indexes): SQLite
FTS5 (`item_text_fts`, external content) or PostgreSQL's to_tsvector('simple', …) GIN index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, literal_column, select, table
from sqlalchemy import func as sqlfunc

from csnet.store.tables import item_text

FEW_MATCHES = 2000  # SQLite: up to this many matches, sorting them beats walking by date
_FTS = table("item_text_fts")


def matches(conn: Connection, words: Sequence[str]) -> ColumnElement[bool]:
    """A condition on `item_text` rows: every word, the last one as a prefix (the member may
    still be typing it). `words` are word characters only (item_text.terms)."""
    if conn.dialect.name == "postgresql":
        query = " & ".join([*words[:-1], f"{words[-1]}:*"])
        vector = sqlfunc.to_tsvector(literal_column("'simple'"), item_text.c.text)
        return vector.op("@@")(sqlfunc.to_tsquery(literal_column("'simple'"), query))
    # why: each word quoted, so nothing a member types is read as FTS5 syntax
    fts = " ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])
    match = literal_column("item_text_fts").op("MATCH")(fts)
    rows: Select[Any] = select(literal_column("rowid")).select_from(_FTS).where(match)
    few = conn.execute(select(sqlfunc.count()).select_from(rows.limit(FEW_MATCHES + 1).subquery()))
    if few.scalar_one() <= FEW_MATCHES:
        return item_text.c.id.in_(rows)  # the matches first, then sorted: a few rows
    # why: many matches (a common word): walk the items newest first through the created
    # index and keep those in the (materialised) match set; `+ 0` stops SQLite from starting
    # at the match set and sorting all of it
    return (item_text.c.id + 0).in_(rows)
