"""The nodes of these tests carry their live events and outbox work over the bus under test."""

from __future__ import annotations

import pytest


@pytest.fixture
def node_bus(bus_url: str) -> str:
    return bus_url
