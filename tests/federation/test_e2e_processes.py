"""Two real node processes on 127.0.0.1, peered over HTTP: outages and crashes lose nothing.

Each node is a `csnet serve` subprocess on its own store (SQLite, or a PostgreSQL database each
when CSNET_TEST_DATABASE_URL is set). The test reads the stores directly to compare item sets.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from sqlalchemy import select

from csnet.accounts.members import get_by_username
from csnet.alerts.access import Caller
from csnet.alerts.service import NewItem, publish_many
from csnet.cli.demo_network import Endpoint, node_id_of, opened, peer_pair
from csnet.handling.roles import Role
from csnet.store.engine import Store
from csnet.store.tables import items, outbox
from csnet.web.peer_transport import HttpPeerTransport
from tests.factories import add_member, make_node, token_for

pytestmark = pytest.mark.e2e

CONVERGE_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """One node directory, served by (re)started `csnet serve` processes."""

    endpoint: Endpoint
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log_file = self.log.open("ab")  # why: a file, not a pipe that could fill and block
        where = ["--data-dir", str(self.endpoint.directory), "--port", str(self.port)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "csnet.cli.main", "serve", "--host", "127.0.0.1", *where],
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
            env={**os.environ, **self.env},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.log.read_text("utf-8", "replace"))
            try:
                if httpx.get(self.endpoint.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("node did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def _database_url(store: Store | None) -> str:
    return "" if store is None or store.is_sqlite else store.url


@pytest.fixture
def two_nodes(
    tmp_path: Path, store: Store, second_store: Store | None
) -> Iterator[Callable[..., tuple[Served, Served, str]]]:
    started: list[Served] = []

    def make(a_env: dict[str, str] | None = None) -> tuple[Served, Served, str]:
        specs = (("a", "PK-FIA", "PK", store, a_env), ("b", "GR-HCG", "GR", second_store, None))
        token = ""
        for slug, name, country, node_store, env in specs:
            node = make_node(tmp_path / slug, _database_url(node_store), name=name, country=country)
            member, _secret = add_member(node, "officer", Role.OFFICER)
            token = token or token_for(node, member)
            node.close()
            port = free_port()
            endpoint = Endpoint(tmp_path / slug, f"http://127.0.0.1:{port}")
            served = Served(endpoint, port, env or {}, tmp_path / f"{slug}.log")
            started.append(served)
            served.start()
        transport = HttpPeerTransport()
        try:
            peer_pair(started[0].endpoint, started[1].endpoint, transport)
        finally:
            transport.close()
        return started[0], started[1], token

    try:
        yield make
    finally:
        for served in started:
            served.stop()


def _ids(endpoint: Endpoint, origin: str) -> set[str]:
    with opened(endpoint) as node, node.store.read() as conn:
        return set(conn.execute(select(items.c.id).where(items.c.origin == origin)).scalars())


def _queued(endpoint: Endpoint, peer: str) -> set[str]:
    with opened(endpoint) as node, node.store.read() as conn:
        return set(conn.execute(select(outbox.c.item_id).where(outbox.c.peer == peer)).scalars())


def _digest(ids: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _wait_for(check: Callable[[], bool], seconds: float) -> float:
    """Poll `check` until true; returns the seconds it took (fails after `seconds`)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not reached within {seconds} s")


def _alert(n: int) -> dict[str, Any]:
    return {"title": f"Vessel {n} sighted", "text": "Heading north.", "urgency": "PRIORITY"}


def test_items_posted_while_the_peer_is_down_arrive_after_its_restart(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    a, b, token = two_nodes()
    a_id, b_id = node_id_of(a.endpoint), node_id_of(b.endpoint)
    b.stop()
    with httpx.Client(base_url=a.endpoint.url, timeout=10) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for n in range(50):
            body = {"body": _alert(n), "audience": {"nodes": [b_id]}}
            assert client.post("/api/v1/alerts", json=body).status_code == 201
    sent = _ids(a.endpoint, a_id)
    assert len(sent) == 50
    _wait_for(lambda: len(_queued(a.endpoint, b_id)) == 50, 10)  # queued while B is down

    b.start()
    took = _wait_for(lambda: _ids(b.endpoint, a_id) == sent, CONVERGE_SECONDS)
    assert took <= CONVERGE_SECONDS
    b.stop()
    a.stop()
    assert _digest(_ids(a.endpoint, a_id)) == _digest(_ids(b.endpoint, a_id))


def test_receiver_killed_mid_batch_loses_no_acknowledged_item(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    # why: small batches (64 KiB bodies) so that the kill lands between and inside batches
    a, b, _token = two_nodes(a_env={"CSNET_MAX_REQUEST_BYTES": "65536"})
    a_id, b_id = node_id_of(a.endpoint), node_id_of(b.endpoint)
    with opened(a.endpoint) as node:
        with node.store.read() as conn:
            officer = get_by_username(conn, "officer")
        news = [NewItem("alert", _alert(n), audience_nodes=(b_id,)) for n in range(600)]
        sent = {env.id for env in publish_many(node, Caller(officer), news)}

    _wait_for(lambda: len(_queued(a.endpoint, b_id)) < 600, 20)  # a first batch acknowledged
    assert b.process is not None
    b.stop(signal.SIGKILL)
    acknowledged = sent - _queued(a.endpoint, b_id)  # rows leave the outbox only on a receipt
    assert acknowledged
    assert acknowledged <= _ids(b.endpoint, a_id)  # a receipt means stored for good

    b.start()
    _wait_for(lambda: _ids(b.endpoint, a_id) == sent, CONVERGE_SECONDS)
    b.stop()
    a.stop()
    assert _digest(_ids(a.endpoint, a_id)) == _digest(sent) == _digest(_ids(b.endpoint, a_id))
