"""What only the in-process bus does (its shared behaviour is in test_bus_contract.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csnet.bus import Event, MemoryBus

WHEN = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def item(n: int) -> Event:
    return Event.item(f"id{n}", "node-a", "alert", WHEN)


def test_default_first_seq_continues_above_an_earlier_process() -> None:
    earlier = MemoryBus()
    earlier.publish([item(1)])
    later = MemoryBus()
    assert later.publish([item(2)])[0] > earlier.latest_seq


def test_buffer_and_queue_must_hold_an_event() -> None:
    with pytest.raises(ValueError, match="at least one"):
        MemoryBus(buffer=0)


def test_event_json_round_trip() -> None:
    event = item(1).numbered(7)
    assert Event.from_json(event.to_json()) == event
