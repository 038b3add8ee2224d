"""The schema every test starts from is the one the migrations build: an empty database goes to
head, down to nothing, and back, and matches the run's template at head (tests/databases.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect

from csnet.store.engine import Store
from csnet.store.migrate import (
    alembic_config,
    head_revisions,
    migrate_with_alembic,
    revisions,
    upgrade,
)
from tests.databases import Databases


def _schema(store: Store) -> dict[str, Any]:
    """Every table's columns, indexes, unique constraints and foreign keys, comparable."""
    with store.read() as conn:
        found = inspect(conn)
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
                ],
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in found.get_indexes(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in found.get_unique_constraints(table)
                ),
                "foreign": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in found.get_foreign_keys(table)
                ),
            }
            for table in sorted(found.get_table_names())
        }


def _downgrade(store: Store, revision: str) -> None:
    config = alembic_config(store.url)
    with store.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _revisions(store: Store) -> frozenset[str]:
    with store.read() as conn:
        return revisions(conn)


def test_an_empty_database_migrates_to_the_template_and_back(
    tmp_path: Path, databases: Databases
) -> None:
    fresh = Store(databases.empty(tmp_path / "fresh"))
    template = Store(databases.url(tmp_path / "template"))
    try:
        assert _schema(fresh) == {}
        upgrade(fresh)
        at_head = _schema(fresh)
        assert len(at_head) > 20 and at_head == _schema(template)
        _downgrade(fresh, "base")
        assert set(_schema(fresh)) <= {"alembic_version"}
        upgrade(fresh)
        assert _schema(fresh) == at_head
    finally:
        fresh.dispose()
        template.dispose()


@pytest.mark.parametrize("start", ["base", "0013", "head"])
def test_upgrade_from_each_revision_ends_where_alembic_ends(
    tmp_path: Path, databases: Databases, start: str
) -> None:
    """upgrade()'s fast path (one SELECT, Alembic skipped at head) against Alembic's upgrade."""
    fast = Store(databases.empty(tmp_path / "fast"))
    plain = Store(databases.empty(tmp_path / "plain"))
    try:
        for store in (fast, plain):
            migrate_with_alembic(store)
            if start != "head":
                _downgrade(store, start)
        assert _revisions(fast) == _revisions(plain)
        upgrade(fast)
        migrate_with_alembic(plain)
        assert _revisions(fast) == _revisions(plain) == head_revisions()
        assert _schema(fast) == _schema(plain)
    finally:
        fast.dispose()
        plain.dispose()
