"""sightings: canonical indicator values and one sighting per value per item

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-17
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("noisy", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
        sa.UniqueConstraint("type", "value", name="uq_indicator_values_type_value"),
    )
    # why: correlation never stores pairs; a hit is two sightings of one value
    op.create_table(
        "sightings",
        sa.Column("value_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("protected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["value_id"],
            ["indicator_values.id"],
            name=op.f("fk_sightings_value_id_indicator_values"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_sightings_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("value_id", "item_id", name=op.f("pk_sightings")),
    )
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.create_index("ix_sightings_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_sightings_created", ["created"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_index("ix_sightings_created")
        batch_op.drop_index("ix_sightings_item_id")
    op.drop_table("sightings")
    op.drop_table("indicator_values")
