"""retired key seq: a peer's retired key verifies only items numbered up to the last seq the peer
sealed under it, as its rotation announcement says (docs/federation.md §4)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

Keys retired before this revision were announced without a last seq. Each gets the highest seq
of that origin among the items this node received before the key was retired: every one of
them was sealed before the retirement, so they were verified under a key the origin then held.
An older item first arriving now must verify under the current key; no item numbered later
verifies under the retired key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BACKFILL = (
    "UPDATE peer_keys SET last_seq = COALESCE("
    "(SELECT MAX(items.seq) FROM items"
    " WHERE items.origin = peer_keys.node_id AND items.received <= peer_keys.retired), 0)"
    " WHERE retired IS NOT NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("peer_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seq", sa.BigInteger(), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("peer_keys", schema=None) as batch_op:
        batch_op.drop_column("last_seq")
