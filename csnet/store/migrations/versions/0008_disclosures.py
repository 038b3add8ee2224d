"""disclosure requests: one row per request, at the asking node and at the holder

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # why: the request and its answer are signed items; this table is only their state, so
    # both sides can list what is pending without reading every envelope
    op.create_table(
        "disclosure_requests",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("asker", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=40), nullable=False),
        sa.Column("value_type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("disclosure_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_disclosure_requests")),
    )
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.create_index("ix_disclosure_requests_requested_at", ["requested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("disclosure_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_requests_requested_at")
    op.drop_table("disclosure_requests")
