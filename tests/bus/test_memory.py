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


def test_hit_event_json_round_trip_and_item_events_unchanged() -> None:
    created = datetime(2026, 12, 17, 9, 0, tzinfo=UTC)
    hit = Event.hit("a" * 64, "node", "phone", created, "b" * 64, 42).numbered(9)
    assert Event.from_json(hit.to_json()) == hit
    assert (hit.kind, hit.other_id, hit.value_id) == ("hit", "b" * 64, 42)
    # why: item events read the same as before to a worker of an older version
    assert "other_id" not in item(1).to_json() and "value_id" not in item(1).to_json()
