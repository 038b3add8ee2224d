"""view stamps: triggers change a view's stamp with every write to the tables behind it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08

The "federation" view (sharing-group membership and active peers, csnet/federation/reach.py)
is cached by each process of a node and reloaded only when its stamp moved. The stamp is never
a value an earlier transaction set, even one rolled back: a sequence on PostgreSQL, a random
64-bit value on SQLite (which has no sequences), so a view cached inside a transaction that
rolled back is never mistaken for a committed one. A later migration that recreates one of
these tables on SQLite (batch_alter_table copies it) must create its triggers again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Frozen copy of the view's tables as of this revision (csnet/store/views.py FEDERATION_TABLES).
VIEW = "federation"
TABLES = ("peers", "sharing_groups", "group_members")
EVENTS = ("INSERT", "UPDATE", "DELETE")
PG_FUNCTION = "csnet_view_stamp_federation"
PG_SEQUENCE = "view_stamp_seq"
SQLITE_TRIGGER = (
    "CREATE TRIGGER {trigger} AFTER {event} ON {table} "
    "BEGIN INSERT OR IGNORE INTO view_stamps (name, stamp) VALUES ('{view}', 0); "
    "UPDATE view_stamps SET stamp = random() WHERE name = '{view}'; END"
)
PG_STAMP = (
    "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO view_stamps (name, stamp) VALUES ('{view}', nextval('{sequence}')) "
    "ON CONFLICT (name) DO UPDATE SET stamp = EXCLUDED.stamp; RETURN NULL; END $$"
)


def upgrade() -> None:
    op.create_table(
        "view_stamps",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_view_stamps")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    # why: SQLite triggers fire per row; the INSERT OR IGNORE recreates a row a test emptied
    for table in TABLES:
        for event in EVENTS:
            op.execute(
                SQLITE_TRIGGER.format(
                    trigger=_trigger(table, event), event=event, table=table, view=VIEW
                )
            )


def _postgres_triggers() -> None:
    op.execute(f"CREATE SEQUENCE {PG_SEQUENCE}")
    op.execute(PG_STAMP.format(function=PG_FUNCTION, view=VIEW, sequence=PG_SEQUENCE))
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {_trigger(table, 'write')} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )


def _trigger(table: str, event: str) -> str:
    return f"tr_{table}_{event.lower()}_stamp_{VIEW}"


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {_trigger(table, 'write')} ON {table}")
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
        op.execute(f"DROP SEQUENCE {PG_SEQUENCE}")
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {_trigger(table, event)}")
    op.drop_table("view_stamps")
