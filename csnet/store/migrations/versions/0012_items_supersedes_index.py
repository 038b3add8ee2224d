"""items.supersedes indexed: a correction that arrived before its target is found on arrival

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_supersedes", "items", ["supersedes"])


def downgrade() -> None:
    op.drop_index("ix_items_supersedes", table_name="items")
