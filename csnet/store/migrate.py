"""Run Alembic migrations programmatically (used by `csnet init`, `csnet serve` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from csnet.store.engine import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(store: Store) -> None:
    """Bring the database to the newest schema; a no-op when it is already there."""
    config = alembic_config(store.url)
    with store.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
