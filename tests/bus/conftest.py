"""Buses under test: every contract test runs on the in-process bus and on NATS JetStream."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from csnet.bus import EventBus, MemoryBus
from csnet.bus.nats import NatsBus, NatsNames
from csnet.bus.natslink import NatsLink

MakeBus = Callable[..., EventBus]


def fresh_names() -> NatsNames:
    """Names no other test uses (a stream is per node: a fresh node id)."""
    return NatsNames.for_node("csntest" + secrets.token_hex(8))


@pytest.fixture
def links(nats_url: str) -> Iterator[Callable[[], NatsLink]]:
    """Opens NATS connections (one per simulated worker process); all closed afterwards."""
    opened: list[NatsLink] = []

    def link() -> NatsLink:
        opened.append(NatsLink(nats_url))
        return opened[-1]

    yield link
    for each in opened:
        each.close()


# why the mark: the NATS variant asks for `links` (so `nats_url`) only when it runs, too late for
# the marker that conftest.py derives from the fixtures a test names
@pytest.fixture(params=["memory", pytest.param("nats", marks=pytest.mark.bus)])
def make_bus(request: pytest.FixtureRequest) -> MakeBus:
    """make_bus(buffer=, queue=): a bus whose first seq is 1, so tests can name seqs."""
    if request.param == "memory":
        return lambda **limits: MemoryBus(first_seq=1, **limits)
    links: Callable[[], NatsLink] = request.getfixturevalue("links")

    def nats_bus(buffer: int = 1000, queue: int = 1000) -> EventBus:
        return NatsBus(links(), fresh_names(), max_msgs=buffer, queue=queue, first_seq=1)

    return nats_bus
