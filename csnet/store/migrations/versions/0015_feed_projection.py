"""feed projection: the feed facts of each current feed item, indexed newest first per filter

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Frozen copy of the extraction in csnet/feed/facts.py as of this revision: a migration must
# give the same result whatever the code becomes later.
FEED_KINDS = ("alert", "note", "reply", "ack")
BATCH = 1000
INDEXES = {
    "ix_feed_items_created": ["created", "item_id"],
    "ix_feed_items_kind": ["kind", "created", "item_id"],
    "ix_feed_items_urgency": ["urgency", "created", "item_id"],
    "ix_feed_items_route": ["route", "created", "item_id"],
    "ix_feed_items_origin": ["origin", "created", "item_id"],
}


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value.strip() else None


def facts(row: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = json.loads(bytes(row.envelope)).get("body")
    body = body if isinstance(body, dict) else {}
    route, place, tags = _text(body, "route"), body.get("place"), body.get("tags")
    item = {
        "item_id": row.id,
        "kind": row.kind,
        "origin": row.origin,
        "created": row.created,
        "urgency": _text(body, "urgency"),
        "route": None if route is None else route.casefold(),
        "place": _text(place, "name") if isinstance(place, dict) else None,
    }
    folded = (
        sorted({t.casefold() for t in tags if isinstance(t, str) and t.strip()})
        if isinstance(tags, list)
        else []
    )
    return item, [{"item_id": row.id, "tag": t, "created": row.created} for t in folded]


def upgrade() -> None:
    op.create_table(
        "feed_items",
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=True),
        sa.Column("route", sa.Text(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_feed_items_item_id_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_feed_items")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "feed_items", columns)
    op.create_table(
        "feed_tags",
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feed_items.item_id"],
            name=op.f("fk_feed_tags_item_id_feed_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "tag", name=op.f("pk_feed_tags")),
    )
    op.create_index("ix_feed_tags_tag", "feed_tags", ["tag", "created", "item_id"])
    _backfill(op.get_bind())


def _rows(bind: sa.Connection) -> Iterator[Any]:
    items = sa.table(
        "items",
        sa.column("id"),
        sa.column("kind"),
        sa.column("origin"),
        sa.column("created", sa.DateTime(timezone=True)),
        sa.column("envelope", sa.LargeBinary()),
        sa.column("superseded_by"),
        sa.column("tombstoned", sa.Boolean()),
    )
    query = (
        sa.select(items)
        .where(items.c.kind.in_(FEED_KINDS), items.c.superseded_by.is_(None))
        .where(items.c.tombstoned.is_(False))
        .order_by(items.c.id)
    )
    yield from bind.execute(query)


def _insert(bind: sa.Connection, rows: list[dict[str, Any]], tags: list[dict[str, Any]]) -> None:
    feed_items = sa.table(
        "feed_items",
        *(sa.column(n) for n in ("item_id", "kind", "origin", "urgency", "route", "place")),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    feed_tags = sa.table(
        "feed_tags",
        sa.column("item_id"),
        sa.column("tag"),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    if rows:
        bind.execute(feed_items.insert(), rows)
    if tags:
        bind.execute(feed_tags.insert(), tags)


def _backfill(bind: sa.Connection) -> None:
    """The current feed items already held get their facts (a node upgraded in place)."""
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for held in list(_rows(bind)):
        item, item_tags = facts(held)
        rows.append(item)
        tags.extend(item_tags)
        if len(rows) == BATCH:
            _insert(bind, rows, tags)
            rows, tags = [], []
    _insert(bind, rows, tags)


def downgrade() -> None:
    op.drop_index("ix_feed_tags_tag", table_name="feed_tags")
    op.drop_table("feed_tags")
    for name in INDEXES:
        op.drop_index(name, table_name="feed_items")
    op.drop_table("feed_items")
