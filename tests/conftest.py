"""Shared fixtures: a migrated Store (SQLite, or PostgreSQL when CSNET_TEST_DATABASE_URL is set)
and a fixed clock reading.

With CSNET_TEST_DATABASE_URL (e.g. postgresql+psycopg://csnet@127.0.0.1:5432/postgres) every test
gets a fresh database `csnet_test_<hex>`, dropped WITH (FORCE) afterwards; the role needs CREATEDB.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from csnet.store.engine import Store
from csnet.store.migrate import upgrade

PG_URL_VAR = "CSNET_TEST_DATABASE_URL"
FIXED_NOW = datetime(2026, 11, 28, 9, 30, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    admin_url = os.environ.get(PG_URL_VAR)
    if admin_url:
        yield from _postgres_store(admin_url)
    else:
        yield from _sqlite_store(tmp_path)


def _sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path}/csnet.db")
    upgrade(store)
    try:
        yield store
    finally:
        store.dispose()


def _postgres_store(admin_url: str) -> Iterator[Store]:
    name = f"csnet_test_{secrets.token_hex(8)}"  # only [a-z0-9_]: safe to splice into DDL
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        store = Store(url)
        try:
            upgrade(store)
            yield store
        finally:
            store.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
