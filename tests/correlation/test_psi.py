"""Diffie-Hellman PSI: the right intersection, and what each side gets to see."""

from __future__ import annotations

import random

import pytest
from nacl.bindings import (
    crypto_core_ed25519_add,
    crypto_core_ed25519_is_valid_point,
    crypto_scalarmult_ed25519_base_noclamp,
)

from csnet.correlation import psi
from csnet.errors import BadInput, TooLarge
from csnet.indicators import registry
from csnet.indicators.base import Hint

PHONES = [f"+3069{n:08d}" for n in range(40)]
IMOS = ["imo:9074729", "imo:9176187", "imo:9321483", "imo:9247455"]
# Small-order points of Ed25519 (identity, and order 2, 4, 8 encodings): never group elements.
IDENTITY = bytes([1]) + bytes(31)
ORDER_2 = bytes([0xEC]) + bytes([0xFF] * 30) + bytes([0x7F])


def _run(type_name: str, asked: list[str], held: list[str]) -> tuple[psi.Query, psi.Answer]:
    query = psi.ask(type_name, asked)
    return query, psi.answer(type_name, list(query.points), held)


@pytest.mark.parametrize("seed", range(6))
def test_intersection_of_random_sets(seed: int) -> None:
    rng = random.Random(seed)
    universe = [f"+3069{n:08d}" for n in rng.sample(range(10**8), 120)]
    asked = rng.sample(universe, rng.randint(0, 60))
    held = rng.sample(universe, rng.randint(0, 60))
    query, reply = _run("phone", asked, held)
    assert sorted(psi.intersect(query, reply)) == sorted(set(asked) & set(held))


def test_canonical_values_from_the_registry_match() -> None:
    asked = [registry.parse("phone", "0300 1234567", Hint(country="PK")).value, "+302101234567"]
    held = [registry.parse("phone", "+92 300 1234567").value]
    query, reply = _run("phone", asked, held)
    assert psi.intersect(query, reply) == ["+923001234567"]


def test_same_value_under_another_type_does_not_match() -> None:
    # The same text as a WhatsApp number and as a phone number: different tags, different points.
    value = "+923001234567"
    assert psi.hash_to_group(b"phone", value) != psi.hash_to_group(b"whatsapp", value)
    query = psi.ask("whatsapp", [value])
    reply = psi.answer("phone", list(query.points), [value])  # holder reads it as phones
    assert psi.intersect(query, reply) == []


def test_tag_and_value_cannot_be_shifted_into_each_other() -> None:
    # "ab" || 0x00 || "c" differs from "a" || 0x00 || "bc": the separator keeps them apart.
    assert psi.hash_to_group(b"ab", "c") != psi.hash_to_group(b"a", "bc")


def test_unknown_type_refused() -> None:
    with pytest.raises(BadInput):
        psi.ask("shoe_size", ["42"])


def test_hashed_values_are_group_elements() -> None:
    for value in PHONES[:10]:
        assert crypto_core_ed25519_is_valid_point(psi.hash_to_group(b"phone", value))


def test_holder_sees_only_blinded_points() -> None:
    # B knows its own values and key; without a it cannot find H(y) or H(y)^b among A's points,
    # even for the values both hold.
    shared = PHONES[:10]
    query = psi.ask("phone", shared + PHONES[20:30])
    b = psi.Key.generate()
    own = {psi.hash_to_group(b"phone", v) for v in shared}
    own_b = set(psi.blind("phone", shared, b))
    received = set(query.points)
    assert len(received) == 20
    assert not received & own
    assert not received & own_b
    assert all(crypto_core_ed25519_is_valid_point(p) for p in received)


def test_blinded_points_look_uniform() -> None:
    # Bits of blinded points are balanced (a crude check that nothing of the value shows).
    points = psi.ask("phone", [f"+3069{n:08d}" for n in range(400)]).points
    ones = sum(bin(int.from_bytes(p[:31], "little")).count("1") for p in points)
    total = 31 * 8 * len(points)
    assert abs(ones / total - 0.5) < 0.02


def test_asker_receives_one_point_per_held_value_and_per_asked_point() -> None:
    _query, reply = _run("phone", PHONES[:7], PHONES[5:30] + PHONES[5:8])  # duplicates held once
    assert len(reply.answered) == 7
    assert len(reply.holder) == 25
    assert not set(reply.holder) & {psi.hash_to_group(b"phone", v) for v in PHONES}


def test_holder_points_are_shuffled() -> None:
    held = [f"+3069{n:08d}" for n in range(60)]
    b = psi.Key.generate()
    in_order = psi.blind("phone", held, b)
    assert psi.holder_points("phone", held, b) != in_order
    assert sorted(psi.holder_points("phone", held, b)) == sorted(in_order)


def test_asked_points_are_shuffled_and_values_deduplicated() -> None:
    values = [f"+3069{n:08d}" for n in range(60)]
    query = psi.ask("phone", values + values[:5])
    assert len(query.values) == 60
    assert list(query.values) != values
    assert sorted(query.values) == sorted(values)
    assert list(query.points) == psi.blind("phone", query.values, query.key)


def test_keys_are_fresh_and_hidden() -> None:
    a, b = psi.Key.generate(), psi.Key.generate()
    assert a != b
    assert a.scalar.hex() not in repr(a)


@pytest.mark.parametrize(
    "bad",
    [IDENTITY, ORDER_2, bytes(32), b"\xff" * 32, b"short"],
    ids=["identity", "order-2", "zero", "non-canonical", "short"],
)
def test_invalid_asked_points_refused(bad: bytes) -> None:
    good = list(psi.ask("phone", PHONES[:3]).points)
    with pytest.raises(psi.InvalidPoint):
        psi.answer("phone", [*good, bad], PHONES)


def test_point_outside_the_prime_order_subgroup_refused() -> None:
    # A group element plus a point of order 2 is on the curve but not in the subgroup.
    torsioned = crypto_core_ed25519_add(
        crypto_scalarmult_ed25519_base_noclamp(b"\x05" + bytes(31)), ORDER_2
    )
    assert not crypto_core_ed25519_is_valid_point(torsioned)
    with pytest.raises(psi.InvalidPoint) as refused:
        psi.answer_points([torsioned], psi.Key.generate())
    assert refused.value.error_code == "psi_invalid_point"
    assert refused.value.details == {"index": 0}


def test_duplicate_points_refused() -> None:
    point = psi.ask("phone", PHONES[:1]).points[0]
    with pytest.raises(psi.DuplicatePoints) as refused:
        psi.answer_points([point, point], psi.Key.generate())
    assert refused.value.error_code == "psi_duplicate_points"


def test_oversized_query_refused() -> None:
    points = list(psi.ask("phone", PHONES[:5]).points)
    with pytest.raises(TooLarge) as refused:
        psi.answer_points(points, psi.Key.generate(), limit=4)
    assert refused.value.error_code == "psi_too_many_points"


def test_asker_refuses_a_bad_answer() -> None:
    query, reply = _run("phone", PHONES[:4], PHONES[2:8])
    with pytest.raises(psi.PointCountMismatch):
        psi.intersect(query, psi.Answer(reply.answered[:3], reply.holder))
    with pytest.raises(psi.InvalidPoint):
        psi.intersect(query, psi.Answer((*reply.answered[:3], ORDER_2), reply.holder))
    with pytest.raises(psi.InvalidPoint):
        psi.intersect(query, psi.Answer(reply.answered, (*reply.holder, IDENTITY)))
    with pytest.raises(psi.DuplicatePoints):
        psi.intersect(query, psi.Answer(reply.answered, (*reply.holder, reply.holder[0])))
    with pytest.raises(TooLarge):
        psi.intersect(query, reply, limit=5)


def test_vessels_match_among_types() -> None:
    query, reply = _run("vessel", IMOS[:3], IMOS[2:])
    assert psi.intersect(query, reply) == [IMOS[2]]
