"""Fresh databases for tests, cloned from a schema migrated once per run.

The first test that needs a database migrates a template under a lock that every pytest-xdist
worker of the run shares: a SQLite file, and on PostgreSQL (CSNET_TEST_DATABASE_URL) a database
that later ones clone with `CREATE DATABASE … TEMPLATE`. A test then costs a file copy or a clone,
not a migration (tests/test_migrations.py still migrates from empty to head and back).

The run's directory is made by the process that starts pytest (the xdist controller, or pytest
itself) and named to the workers through CSNET_TEST_RUN_DIR; that process removes it, and drops
the PostgreSQL template, when the run ends.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from csnet.store.engine import SQLITE_FILE, Store, sqlite_url
from csnet.store.migrate import upgrade

PG_URL_VAR = "CSNET_TEST_DATABASE_URL"
RUN_DIR_VAR = "CSNET_TEST_RUN_DIR"
# "csnet_test_" in a name gives the engine no pool (csnet/store/engine.py): a clone or a drop
# must find no connection left open on its database.
PG_PREFIX = "csnet_test_"
SQLITE_TEMPLATE = "schema.db"
PG_READY = "postgres-template"


def start_run() -> bool:
    """Name this run's shared directory unless a parent process did; True if this one owns it."""
    if os.environ.get(RUN_DIR_VAR):
        return False
    os.environ[RUN_DIR_VAR] = tempfile.mkdtemp(prefix="csnet-test-run-")
    return True


def end_run() -> None:
    """Drop the PostgreSQL template and remove the run's directory (by the process that owns it)."""
    run_dir = Path(os.environ.pop(RUN_DIR_VAR))
    admin_url = os.environ.get(PG_URL_VAR)
    if admin_url and (run_dir / PG_READY).exists():
        _drop(admin_url, (run_dir / PG_READY).read_text("utf-8"))
        _admin(admin_url).dispose()
    shutil.rmtree(run_dir, ignore_errors=True)


def pg_admin_url() -> str | None:
    return os.environ.get(PG_URL_VAR) or None


@contextmanager
def _run_lock() -> Iterator[Path]:
    run_dir = Path(os.environ[RUN_DIR_VAR])
    with (run_dir / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield run_dir


def sqlite_template() -> Path:
    """The migrated SQLite file of this run (built by whichever worker asks first)."""
    with _run_lock() as run_dir:
        template = run_dir / SQLITE_TEMPLATE
        if not template.exists():
            building = run_dir / "building.db"
            store = Store(f"sqlite:///{building}")
            try:
                upgrade(store)
            finally:
                store.dispose()  # the last connection closing folds the WAL into the file
            building.rename(template)
        return template


def pg_template(admin_url: str) -> str:
    """The name of this run's migrated PostgreSQL database."""
    with _run_lock() as run_dir:
        ready = run_dir / PG_READY
        if ready.exists():
            return ready.read_text("utf-8")
        name = f"{PG_PREFIX}template_{secrets.token_hex(6)}"
        _execute(admin_url, f'CREATE DATABASE "{name}"')
        store = Store(_with_database(admin_url, name))
        try:
            upgrade(store)
        finally:
            store.dispose()
        ready.write_text(name, "utf-8")
        return name


class Databases:
    """The databases one test gets; those made on PostgreSQL are dropped when it ends."""

    def __init__(self, admin_url: str | None) -> None:
        self.admin_url = admin_url
        self._made: list[str] = []

    @property
    def on_postgres(self) -> bool:
        return self.admin_url is not None

    def url(self, directory: Path) -> str:
        """A migrated database: a copy of the template in `directory`, or a PostgreSQL clone."""
        if self.admin_url is None:
            directory.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite_template(), directory / SQLITE_FILE)
            return sqlite_url(directory)
        return self._create(f'TEMPLATE "{pg_template(self.admin_url)}"')

    def for_node(self, data_dir: Path, *, migrated: bool = True) -> str:
        """The database_url to make a node in `data_dir` with: "" (its own SQLite file, copied
        from the template unless `migrated` is False) or a PostgreSQL database of its own."""
        if self.admin_url is None:
            if migrated:
                self.url(data_dir)
            return ""
        return self.url(data_dir) if migrated else self._create("")

    def empty(self, directory: Path) -> str:
        """A database with no schema at all, to migrate from nothing."""
        if self.admin_url is None:
            directory.mkdir(parents=True, exist_ok=True)
            return sqlite_url(directory)
        return self._create("")

    def _create(self, template_clause: str) -> str:
        assert self.admin_url is not None
        name = f"{PG_PREFIX}{secrets.token_hex(8)}"  # only [a-z0-9_]: safe to splice into DDL
        _execute(self.admin_url, f'CREATE DATABASE "{name}" {template_clause}')
        self._made.append(name)
        return _with_database(self.admin_url, name)

    def drop_all(self) -> None:
        if self.admin_url is not None:
            for name in self._made:
                _drop(self.admin_url, name)
        self._made.clear()


def _with_database(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@cache
def _admin(admin_url: str) -> Engine:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def _execute(admin_url: str, statement: str) -> None:
    with _admin(admin_url).connect() as conn:
        conn.execute(text(statement))


def _drop(admin_url: str, name: str) -> None:
    _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
