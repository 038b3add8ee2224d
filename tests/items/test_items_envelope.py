"""Envelope wire form: one spelling per value, so to_wire/to_bytes round-trip exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from csnet.items.envelope import Audience, Envelope
from csnet.items.fields import format_utc
from csnet.items.keys import NodeKey


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2024, 5, 1, 12, 30, tzinfo=UTC), "2024-05-01T12:30:00Z"),
        (datetime(2024, 5, 1, 12, 30, 0, 500, tzinfo=UTC), "2024-05-01T12:30:00.000500Z"),
        (datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))), "2024-05-01T12:30:00Z"),
    ],
)
def test_times_have_one_spelling(value: datetime, text: str) -> None:
    assert format_utc(value) == text


def test_audience_is_sorted_and_deduplicated(key: NodeKey, other_key: NodeKey) -> None:
    a, b = sorted([key.node_id, other_key.node_id])
    audience = Audience(nodes=(b, a, b), groups=("z", "a", "z"))
    assert audience.nodes == (a, b)
    assert audience.groups == ("a", "z")


@pytest.mark.parametrize("node", ["csnNOTLOWER", "abc", "csn" + "a" * 25, "csn" + "1" * 24])
def test_audience_refuses_malformed_node_ids(node: str) -> None:
    with pytest.raises(ValidationError):
        Audience(nodes=(node,))


def test_wire_round_trip(sealed: Envelope) -> None:
    wire = sealed.to_wire()
    assert wire["created"] == "2024-05-01T12:30:00Z"
    assert set(wire) - set(sealed.unsigned_wire()) == {"id", "sig"}
    assert Envelope.from_wire(wire) == sealed
    assert Envelope.model_validate_json(sealed.to_bytes()) == sealed  # as the store reads it
    assert json.loads(sealed.to_bytes()) == wire


def test_envelope_is_frozen_and_closed(sealed: Envelope) -> None:
    with pytest.raises(ValidationError):
        sealed.seq = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Envelope.from_wire(sealed.to_wire() | {"extra": 1})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created", "2024-05-01T12:30:00"),  # naive
        ("seq", 0),
        ("seq", "1"),
        ("seq", True),
        ("id", "A" * 64),
        ("sig", "short"),
        ("kind", "Alert"),
        ("supersedes", "abc"),
    ],
)
def test_envelope_field_rules(sealed: Envelope, field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Envelope.from_wire(sealed.to_wire() | {field: value})
