"""Migration 0014: the failed-login counters table comes and goes with its index."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from csnet.store.engine import Store
from csnet.store.migrate import alembic_config


def _migrate(store: Store, revision: str, *, down: bool = False) -> None:
    config = alembic_config(store.url)
    with store.write() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _tables(store: Store) -> set[str]:
    with store.read() as conn:
        return set(inspect(conn).get_table_names())


def test_login_throttle_downgrades_and_upgrades(store: Store) -> None:
    assert "login_throttle" in _tables(store)
    _migrate(store, "0013", down=True)
    assert "login_throttle" not in _tables(store)
    _migrate(store, "head")
    with store.read() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("login_throttle")}
    assert indexes == {"ix_login_throttle_window_end"}
