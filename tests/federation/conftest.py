"""Two nodes in one process, wired to each other through an in-process PeerTransport; and
`two_nodes`: two real `csnet serve` processes, peered over HTTP (processes.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from csnet.cli.demo_network import Endpoint, peer_pair
from csnet.errors import CsnetError
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.transport import PeerResponse
from csnet.web.app import create_app
from csnet.web.peer_transport import HttpPeerTransport
from tests.conftest import FIXED_NOW
from tests.databases import Databases
from tests.factories import FakeClock, add_member, make_node, token_for
from tests.federation.processes import Served, free_port

URL_A = "https://pk-fia.test"
URL_B = "https://gr-hcg.test"


class InProcessTransport:
    """Routes each request to the app whose public URL prefixes it (no sockets)."""

    def __init__(self) -> None:
        self.apps: dict[str, TestClient] = {}
        self.sent: list[tuple[str, str, dict[str, str], bytes]] = []

    def add(self, url: str, node: Node) -> None:
        self.apps[url] = TestClient(create_app(node), raise_server_exceptions=False)

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        self.sent.append((method, url, headers, body))
        for prefix, client in self.apps.items():
            if url.startswith(prefix + "/"):
                answer = client.request(method, url, headers=headers, content=body)
                return PeerResponse(answer.status_code, dict(answer.headers), answer.content)
        raise CsnetError(f"cannot reach {url}", code="connection_failed")

    def close(self) -> None:
        for client in self.apps.values():
            client.close()


@dataclass
class Pair:
    a: Node
    b: Node
    clock: FakeClock
    transport: InProcessTransport


def _node(
    directory: Path,
    databases: Databases,
    name: str,
    country: str,
    clock: FakeClock,
    bus_url: str = "",
) -> Node:
    """A node on a database of its own (on PostgreSQL too) and on the bus under test."""
    return make_node(
        directory,
        databases,
        bus_url=bus_url,
        name=name,
        country=country,
        agency=f"{name} agency",
        clock=clock,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_NOW)


@pytest.fixture
def pair(tmp_path: Path, databases: Databases, bus_url: str, clock: FakeClock) -> Iterator[Pair]:
    a = _node(tmp_path / "a", databases, "PK-FIA", "PK", clock, bus_url)
    b = _node(tmp_path / "b", databases, "GR-HCG", "GR", clock, bus_url)
    a.settings = a.settings.replace(public_url=URL_A)
    b.settings = b.settings.replace(public_url=URL_B)
    transport = InProcessTransport()
    transport.add(URL_A, a)
    transport.add(URL_B, b)
    a.transport = b.transport = transport
    yield Pair(a, b, clock, transport)
    transport.close()
    a.close()
    b.close()


@pytest.fixture
def two_nodes(
    tmp_path: Path, databases: Databases
) -> Iterator[Callable[..., tuple[Served, Served, str]]]:
    started: list[Served] = []

    def make(a_env: dict[str, str] | None = None) -> tuple[Served, Served, str]:
        specs = (("a", "PK-FIA", "PK", a_env), ("b", "GR-HCG", "GR", None))
        token = ""
        for slug, name, country, env in specs:
            node = make_node(tmp_path / slug, databases, name=name, country=country)
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
