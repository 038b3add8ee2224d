"""Engine set-up and the one place where SQLite and PostgreSQL differ.

SQLite: WAL, foreign keys, busy timeout, and one writer (a process lock plus BEGIN IMMEDIATE, so a
write transaction never has to upgrade a read lock). PostgreSQL: writes serialise on one advisory
lock, because the audit chain and origin sequence numbers need a single writer too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

WRITE_LOCK_KEY = 7_407_211  # PostgreSQL advisory lock id for the single writer
SQLITE_FILE = "csnet.db"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / SQLITE_FILE}"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so that BEGIN is ours to choose.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # NORMAL in WAL mode: a committed transaction survives a crash of the process.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A node's indexes outgrow the 2 MiB default quickly; 64 MiB keeps their upper levels hot.
    cursor.execute("PRAGMA cache_size=-65536")
    # A batch of received items dirties thousands of index pages; checkpointing every 1,000
    # pages (the default) meant a checkpoint and its fsync in nearly every commit. 32 MiB
    # between checkpoints, and the WAL file cut back to 64 MiB after one.
    cursor.execute("PRAGMA wal_autocheckpoint=8192")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("csnet_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """An engine with read and write transactions; the only way code touches the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._lock = threading.RLock()
        self.engine: Engine = self._make_engine(url)

    def _make_engine(self, url: str) -> Engine:
        if self.is_sqlite:
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        return create_engine(url, pool_pre_ping=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One writer at a time; the transaction commits on leaving the block, else rolls back."""
        with self._lock, self.engine.connect() as raw:
            conn = raw.execution_options(csnet_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
                yield conn

    def ping(self) -> None:
        """Raise unless the database answers a trivial query (for the health check)."""
        with self.read() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()
