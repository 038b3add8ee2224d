"""Keyed Bloom filters: no false negatives, the false-positive rate asked for, strict wire form,
and nothing to test without the group's key or under another type."""

from __future__ import annotations

import random
from typing import Any

import pytest

from csnet.correlation import prescreen
from csnet.correlation.prescreen import BloomFilter, PrescreenError, Shape
from csnet.errors import BadInput, TooLarge
from csnet.items.keys import b64url

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def wallets(rng: random.Random, count: int) -> list[str]:
    return [f"0x{rng.getrandbits(160):040x}" for _ in range(count)]


def test_no_false_negatives_over_random_sets() -> None:
    rng = random.Random(20261128)
    for count in (0, 1, 63, 64, 65, 1000):
        held = wallets(rng, count)
        key = rng.randbytes(32)
        bloom = prescreen.build(key, "wallet", held, 0.01)
        assert prescreen.keep(bloom, key, "wallet", held) == held


@pytest.mark.parametrize("rate", [0.01, 0.001, 0.2])
def test_false_positive_rate_within_bounds(rate: float) -> None:
    rng = random.Random(7)
    held = wallets(rng, 1000)
    bloom = prescreen.build(KEY, "wallet", held, rate)
    others = wallets(rng, 20_000)
    passed = len(prescreen.keep(bloom, KEY, "wallet", others))
    # 1000 values in a filter sized for 1024 at `rate`: at most `rate`, with room for chance
    assert passed / len(others) <= rate * 1.3 + 0.0005


def test_shape_follows_the_next_power_of_two() -> None:
    assert prescreen.shape_for(1000, 0.01) == prescreen.shape_for(1024, 0.01)
    assert prescreen.shape_for(1025, 0.01).bits > prescreen.shape_for(1024, 0.01).bits
    assert prescreen.shape_for(0, 0.01) == prescreen.shape_for(64, 0.01)
    shape = prescreen.shape_for(1024, 0.01)
    assert shape.bits % 8 == 0 and shape.hashes == 7  # k = m/n ln 2 for 1 %
    with pytest.raises(TooLarge) as caught:
        prescreen.shape_for(100_000_000, 0.01)
    assert caught.value.error_code == "prescreen_too_many_values"
    with pytest.raises(ValueError, match="false-positive"):
        prescreen.shape_for(10, 1.0)


def test_another_key_or_type_does_not_match() -> None:
    held = wallets(random.Random(3), 200)
    bloom = prescreen.build(KEY, "wallet", held, 0.01)
    assert len(prescreen.keep(bloom, OTHER_KEY, "wallet", held)) < 20
    as_document = prescreen.build(KEY, "document", held, 0.01)
    assert len(prescreen.keep(as_document, KEY, "wallet", held)) < 20


def test_only_high_entropy_types() -> None:
    assert prescreen.type_tag("wallet") == b"wallet"
    for low in ("phone", "vessel", "plate", "iban"):
        with pytest.raises(BadInput) as caught:
            prescreen.build(KEY, low, ["x"], 0.01)
        assert caught.value.error_code == "prescreen_type_refused"
    with pytest.raises(BadInput) as caught:
        prescreen.type_tag("shoe")
    assert caught.value.error_code == "invalid_input"


def test_a_key_is_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        prescreen.build(KEY[:16], "wallet", ["x"], 0.01)


def test_serialization_round_trip() -> None:
    bloom = prescreen.build(KEY, "document", ["GRC:P:AB1234567", "PAK:P:XY7654321"], 0.01)
    wire = prescreen.to_json(bloom)
    assert set(wire) == {"bits", "hashes", "filter"}
    assert prescreen.from_json({**wire, "epoch": 3}) == bloom  # other members are the caller's
    assert prescreen.keep(bloom, KEY, "document", ["GRC:P:AB1234567"]) == ["GRC:P:AB1234567"]


def _wire(**changes: Any) -> dict[str, Any]:
    return {"bits": 64, "hashes": 3, "filter": b64url(bytes(8)), **changes}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"bits": 64, "hashes": 3},
        _wire(bits=63),
        _wire(bits=60),
        _wire(bits="64"),
        _wire(bits=True),
        _wire(bits=prescreen.MAX_BITS + 8),
        _wire(hashes=0),
        _wire(hashes=33),
        _wire(hashes=3.0),
        _wire(filter=b64url(bytes(9))),
        _wire(filter=b64url(bytes(8)) + "="),
        _wire(filter="AAAAAAAAAA!"),
        _wire(filter="AAAAAAAAAAB"),  # non-canonical: trailing bits set
        _wire(filter=None),
    ],
)
def test_bad_filters_are_refused(data: Any) -> None:
    with pytest.raises(PrescreenError) as caught:
        prescreen.from_json(data)
    assert caught.value.error_code == "prescreen_bad_filter"


def test_an_empty_filter_passes_nothing_and_a_full_one_everything() -> None:
    values = wallets(random.Random(5), 50)
    empty = BloomFilter(Shape(64, 3), bytes(8))
    full = BloomFilter(Shape(64, 3), b"\xff" * 8)
    assert prescreen.keep(empty, KEY, "wallet", values) == []
    assert prescreen.keep(full, KEY, "wallet", values) == values
