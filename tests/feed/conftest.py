"""Feed tests run on a node of their own, with a clock they move."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csnet.accounts.members import Member
from csnet.handling.roles import Role
from csnet.node import Node
from tests.databases import Databases
from tests.factories import FakeClock, add_member, make_node


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def node(tmp_path: Path, databases: Databases, clock: FakeClock) -> Iterator[Node]:
    made = make_node(tmp_path / "node", databases, clock=clock)
    yield made
    made.close()


@pytest.fixture
def officer(node: Node) -> Member:
    return add_member(node, "officer", Role.OFFICER)[0]
