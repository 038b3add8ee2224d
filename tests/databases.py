"""Fresh databases for tests, from a schema migrated once per run.

The first test that needs a database migrates a template under a lock that every pytest-xdist
worker of the run shares: a SQLite file that each test copies, and on PostgreSQL
(CSNET_TEST_DATABASE_URL) a database cloned with `CREATE DATABASE … TEMPLATE`. A PostgreSQL clone
is not dropped after its test: emptied (tests/postgres_clones.py), it serves the worker's next
test, since emptying a database costs milliseconds and cloning one hundreds. A test costs a file
copy or a few DELETEs, not a migration (tests/test_migrations.py still migrates from nothing).

The run's directory is made by the process that starts pytest (the xdist controller, or pytest
itself) and named to the workers through CSNET_TEST_RUN_DIR; that process drops the run's
PostgreSQL databases and removes the directory when the run ends.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from csnet.store.engine import SQLITE_FILE, Store, sqlite_url
from csnet.store.migrate import upgrade
from tests import postgres_clones

PG_URL_VAR = "CSNET_TEST_DATABASE_URL"
RUN_DIR_VAR = "CSNET_TEST_RUN_DIR"
SQLITE_TEMPLATE = "schema.db"


def start_run() -> bool:
    """Name this run's shared directory unless a parent process did; True if this one owns it."""
    if os.environ.get(RUN_DIR_VAR):
        return False
    os.environ[RUN_DIR_VAR] = tempfile.mkdtemp(prefix="csnet-test-run-")
    return True


def end_run() -> None:
    """Drop the run's PostgreSQL databases and remove its directory (by the owning process)."""
    run_dir = os.environ.pop(RUN_DIR_VAR)
    if admin_url := pg_admin_url():
        postgres_clones.drop_run(admin_url, run_dir)
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
    """The name of this run's migrated PostgreSQL database (built by whoever asks first)."""
    with _run_lock() as run_dir:
        return postgres_clones.template(admin_url, str(run_dir))


class Databases:
    """The databases one test gets; on PostgreSQL they go back to the worker when it ends."""

    def __init__(self, admin_url: str | None) -> None:
        self.admin_url = admin_url
        self._made: list[str] = []

    @property
    def on_postgres(self) -> bool:
        return self.admin_url is not None

    def url(self, directory: Path) -> str:
        """A migrated database: a copy of the template in `directory`, or a PostgreSQL one."""
        if self.admin_url is None:
            directory.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite_template(), directory / SQLITE_FILE)
            return sqlite_url(directory)
        return self._made_one(postgres_clones.clone(self.admin_url, _run(), pg_template))

    def for_node(self, data_dir: Path, *, migrated: bool = True) -> str:
        """The database_url to make a node in `data_dir` with: "" (its own SQLite file, copied
        from the template unless `migrated` is False) or a PostgreSQL database of its own."""
        if self.admin_url is None:
            if migrated:
                self.url(data_dir)
            return ""
        return self.url(data_dir) if migrated else self.empty(data_dir)

    def empty(self, directory: Path) -> str:
        """A database with no schema at all, to migrate from nothing."""
        if self.admin_url is None:
            directory.mkdir(parents=True, exist_ok=True)
            return sqlite_url(directory)
        return self._made_one(postgres_clones.empty(self.admin_url, _run()))

    def _made_one(self, name: str) -> str:
        assert self.admin_url is not None
        self._made.append(name)
        return postgres_clones.url_of(self.admin_url, name)

    def give_back(self) -> None:
        """Empty the test's PostgreSQL databases for the next test, or drop them."""
        if self.admin_url is not None:
            for name in self._made:
                postgres_clones.give_back(self.admin_url, name)
        self._made.clear()


def _run() -> str:
    return os.environ[RUN_DIR_VAR]
