"""item text: the searchable words of each item, with a full-text index per dialect

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Frozen copy of the extraction in csnet/correlation/item_text.py as of this revision: a
# migration must give the same result whatever the code becomes later.
FIELDS = ("title", "text", "comment", "context", "route")
SKIPPED = frozenset({"tombstone", "group", "consent", "ack"})
BATCH = 1000

# prefix='2 3': the last word of a search is matched as a prefix (the member may still be typing)
SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE item_text_fts USING fts5(text, content='item_text',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    # why: external content: the index follows the table through these triggers, and an
    # erased item (FK cascade from items) leaves no words behind (LED Art 16)
    "CREATE TRIGGER item_text_ai AFTER INSERT ON item_text BEGIN"
    " INSERT INTO item_text_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER item_text_ad AFTER DELETE ON item_text BEGIN"
    " INSERT INTO item_text_fts(item_text_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " END",
)
POSTGRES_INDEX = (
    "CREATE INDEX ix_item_text_search ON item_text USING gin (to_tsvector('simple', text))",
)


def words(kind: str, body: dict[str, Any]) -> str:
    if kind in SKIPPED:
        return ""
    parts = [str(body[f]) for f in FIELDS if isinstance(body.get(f), str)]
    tags = body.get("tags")
    if isinstance(tags, list):
        parts.extend(str(t) for t in tags if isinstance(t, str))
    place = body.get("place")
    if isinstance(place, dict) and isinstance(place.get("name"), str):
        parts.append(place["name"])
    return "\n".join(p for p in parts if p.strip())


def upgrade() -> None:
    op.create_table(
        "item_text",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_item_text_item_id_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_text")),
        sa.UniqueConstraint("item_id", name=op.f("uq_item_text_item_id")),
    )
    op.create_index("ix_item_text_created", "item_text", ["created", "item_id"])
    bind = op.get_bind()
    for statement in POSTGRES_INDEX if bind.dialect.name == "postgresql" else SQLITE_INDEX:
        op.execute(statement)
    _backfill(bind)


def _rows(bind: sa.Connection) -> Iterator[dict[str, Any]]:
    items = sa.table(
        "items",
        sa.column("id"),
        sa.column("kind"),
        sa.column("origin"),
        sa.column("created", sa.DateTime(timezone=True)),
        sa.column("envelope", sa.LargeBinary()),
        sa.column("tombstoned", sa.Boolean()),
    )
    query = sa.select(items).where(items.c.tombstoned.is_(False)).order_by(items.c.id)
    for row in bind.execute(query):
        body = json.loads(bytes(row.envelope)).get("body") or {}
        text = words(str(row.kind), body if isinstance(body, dict) else {})
        if text:
            yield {
                "item_id": row.id,
                "kind": row.kind,
                "origin": row.origin,
                "created": row.created,
                "text": text,
            }


def _backfill(bind: sa.Connection) -> None:
    """The items already held get their words (a node upgraded in place)."""
    target = sa.table(
        "item_text",
        sa.column("item_id"),
        sa.column("kind"),
        sa.column("origin"),
        sa.column("created", sa.DateTime(timezone=True)),
        sa.column("text"),
    )
    batch: list[dict[str, Any]] = []
    for row in list(_rows(bind)):
        batch.append(row)
        if len(batch) == BATCH:
            bind.execute(target.insert(), batch)
            batch = []
    if batch:
        bind.execute(target.insert(), batch)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS item_text_ad")
        op.execute("DROP TRIGGER IF EXISTS item_text_ai")
        op.execute("DROP TABLE IF EXISTS item_text_fts")
    op.drop_index("ix_item_text_created", table_name="item_text")
    op.drop_table("item_text")
