"""feed marks: where each member last read the live feed, for unread counts on any device

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_marks",
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_feed_marks_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_feed_marks")),
    )


def downgrade() -> None:
    op.drop_table("feed_marks")
