"""PostgreSQL databases for tests: one migrated template per run, its clones, and clones emptied
after their test and handed to the same worker's next one.

Every name starts with csnet_test_<run>_, <run> derived from the run's directory, so that the
process owning the run drops them all at the end, whatever a test left behind. A clone is only
reused when it is still at the newest revision with exactly the tables the code knows; anything
else (a test that migrated down and stopped, a database made empty) is dropped instead.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from csnet.store.engine import Store
from csnet.store.migrate import head_revisions, revisions, upgrade
from csnet.store.tables import metadata

PREFIX = "csnet_test_"
# why: FILE_COPY clones a small database several times faster than PostgreSQL 15's default,
# WAL_LOG, which writes every page of the copy through the WAL
CLONE = "STRATEGY FILE_COPY"
TEMPLATE_READY = "postgres-template"
_emptied: dict[str, list[str]] = {}  # admin URL -> this worker's clones, ready for a test
_engines: dict[str, Engine] = {}  # a clone's URL -> the engine that empties it


def url_of(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def run_prefix(run_dir: str) -> str:
    """Only [a-z0-9_]: safe to splice into DDL."""
    return f"{PREFIX}{hashlib.sha256(run_dir.encode()).hexdigest()[:10]}_"


def template(admin_url: str, run_dir: str) -> str:
    """The run's migrated database; the caller holds the run's lock."""
    ready = Path(run_dir) / TEMPLATE_READY
    if ready.exists():
        return ready.read_text("utf-8")
    name = run_prefix(run_dir) + "template"
    _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a half-built one
    _execute(admin_url, f'CREATE DATABASE "{name}" {CLONE}')
    store = Store(url_of(admin_url, name))
    try:
        upgrade(store)
    finally:
        store.dispose()  # a template must have no connection when it is cloned
    ready.write_text(name, "utf-8")
    return name


def clone(admin_url: str, run_dir: str, template_of: Callable[[str], str]) -> str:
    """A migrated database holding no rows: an emptied one of this worker's, else a new clone."""
    if waiting := _emptied.get(admin_url):
        return waiting.pop()
    name = run_prefix(run_dir) + secrets.token_hex(6)
    _execute(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_of(admin_url)}" {CLONE}')
    return name


def empty(admin_url: str, run_dir: str) -> str:
    """A database with no schema (dropped after its test: nothing to reuse)."""
    name = run_prefix(run_dir) + secrets.token_hex(6)
    _execute(admin_url, f'CREATE DATABASE "{name}" {CLONE}')
    return name


def give_back(admin_url: str, name: str) -> None:
    """After a test: empty the database for this worker's next test, or drop it."""
    url = url_of(admin_url, name)
    if url not in _engines:
        _engines[url] = create_engine(url)
    with _engines[url].begin() as conn:
        reusable = _empty_out(conn)
    if reusable:
        _emptied.setdefault(admin_url, []).append(name)
        return
    _engines.pop(url).dispose()
    _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_out(conn: Connection) -> bool:
    """Delete every row if the schema is the newest one; False (nothing done) if it is not."""
    tables = set(
        conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    )
    if tables != {*metadata.tables, "alembic_version"}:
        return False
    if revisions(conn) != head_revisions():
        return False
    # why: a store the test forgot to close keeps connections that would hold up the next test
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )
    for table in reversed(metadata.sorted_tables):  # children before the rows they refer to
        conn.execute(table.delete())
    query = "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
    for sequence in list(conn.execute(text(query)).scalars()):
        conn.execute(text("SELECT setval(:name, 1, false)"), {"name": sequence})
    return True


def drop_run(admin_url: str, run_dir: str) -> None:
    """Drop every database of the run (by the process that owns the run, once it is over)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _emptied.clear()
    prefix = run_prefix(run_dir)
    with _admin(admin_url).connect() as conn:
        names = [n for n in conn.execute(text("SELECT datname FROM pg_database")).scalars()]
    for name in names:
        if name.startswith(prefix):
            _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(admin_url).dispose()


@cache
def _admin(admin_url: str) -> Engine:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def _execute(admin_url: str, statement: str) -> None:
    with _admin(admin_url).connect() as conn:
        conn.execute(text(statement))
