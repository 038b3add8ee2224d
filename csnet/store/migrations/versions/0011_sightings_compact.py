"""sightings compact: one B-tree per sighting on SQLite, and no index on the creation time

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28

A sighting was four B-tree inserts on SQLite: the rowid table, its primary key, the item index
and the creation-time index. Nothing reads sightings by creation time, so that index goes; on
SQLite the table becomes WITHOUT ROWID, so the primary key (value_id, item_id) is the table.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COPY = (
    "INSERT INTO sightings_compact (value_id, item_id, origin, created, protected)"
    " SELECT value_id, item_id, origin, created, protected FROM sightings"
)
SQLITE_TABLE = (
    "CREATE TABLE sightings_compact ("
    " value_id INTEGER NOT NULL,"
    " item_id VARCHAR(64) NOT NULL,"
    " origin VARCHAR(40) NOT NULL,"
    " created DATETIME NOT NULL,"
    " protected BOOLEAN NOT NULL,"
    " CONSTRAINT pk_sightings PRIMARY KEY (value_id, item_id),"
    " CONSTRAINT fk_sightings_value_id_indicator_values FOREIGN KEY (value_id)"
    " REFERENCES indicator_values (id),"
    " CONSTRAINT fk_sightings_item_id_items FOREIGN KEY (item_id)"
    " REFERENCES items (id) ON DELETE CASCADE"
    ") WITHOUT ROWID"
)


def upgrade() -> None:
    op.drop_index("ix_sightings_created", table_name="sightings")
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute(SQLITE_TABLE)
    op.execute(COPY)
    op.drop_index("ix_sightings_item_id", table_name="sightings")
    op.drop_table("sightings")
    op.rename_table("sightings_compact", "sightings")
    op.create_index("ix_sightings_item_id", "sightings", ["item_id"])


def downgrade() -> None:
    # why: WITHOUT ROWID holds the same rows and keys as the rowid form, which 0010 reads
    # and writes alike; only the index is put back
    op.create_index("ix_sightings_created", "sightings", ["created"])
