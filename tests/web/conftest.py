from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csnet.node import Node
from tests.databases import Databases
from tests.factories import make_node


@pytest.fixture
def node(tmp_path: Path, databases: Databases, bus_url: str) -> Iterator[Node]:
    """A node whose live events and outbox work go over the bus under test."""
    made = make_node(tmp_path / "node", databases, bus_url=bus_url)
    yield made
    made.close()
