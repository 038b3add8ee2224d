"""Run Alembic migrations programmatically (used by `csnet init`, `csnet serve` and the tests)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from csnet.store.engine import Store

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(store: Store) -> None:
    """Bring the database to the newest schema; a no-op when it is already there.

    Fast path: every command and every node opening calls this, and nearly always the database is
    already at head; one SELECT says so, where Alembic would load every migration script and take
    the write lock first (tests/test_migrations.py checks both paths agree)."""
    with store.read() as conn:
        if revisions(conn) == head_revisions():
            return
    migrate_with_alembic(store)


def migrate_with_alembic(store: Store) -> None:
    """The plain path: Alembic's upgrade to head, under the write lock."""
    config = alembic_config(store.url)
    with store.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def revisions(conn: Connection) -> frozenset[str]:
    """The revisions the database is at (none for a database Alembic never touched)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


@cache
def head_revisions() -> frozenset[str]:
    """The newest revisions of the migration scripts (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())
