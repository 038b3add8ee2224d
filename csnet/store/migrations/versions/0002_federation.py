"""federation: peers, peer keys, invitations, request nonces

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("node_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_peers")),
    )
    op.create_table(
        "peer_keys",
        sa.Column("node_id", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["node_id"], ["peers.node_id"], name=op.f("fk_peer_keys_node_id_peers")
        ),
        sa.PrimaryKeyConstraint("node_id", "public_key", name=op.f("pk_peer_keys")),
    )
    op.create_table(
        "invitations",
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("secret_hash", name=op.f("pk_invitations")),
    )
    op.create_table(
        "request_nonces",
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "nonce", name=op.f("pk_request_nonces")),
    )
    with op.batch_alter_table("request_nonces", schema=None) as batch_op:
        batch_op.create_index("ix_request_nonces_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("request_nonces", schema=None) as batch_op:
        batch_op.drop_index("ix_request_nonces_at")
    op.drop_table("request_nonces")
    op.drop_table("invitations")
    op.drop_table("peer_keys")
    op.drop_table("peers")
