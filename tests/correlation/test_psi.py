"""Diffie-Hellman PSI: the right intersection, and what each side gets to see."""

from __future__ import annotations

import random

import pytest
from nacl.bindings import (
    crypto_core_ed25519_from_uniform,
    crypto_scalarmult,
    crypto_sign_ed25519_pk_to_curve25519,
)

from csnet.correlation import psi
from csnet.errors import BadInput, TooLarge
from csnet.indicators import registry
from csnet.indicators.base import Hint

PHONES = [f"+3069{n:08d}" for n in range(40)]
IMOS = ["imo:9074729", "imo:9176187", "imo:9321483", "imo:9247455"]
P = psi.FIELD_PRIME
CURVE_A = 486662
# u-coordinates of small order: never group elements (libsodium's X25519 refuses them).
ZERO, ONE, MINUS_ONE = (u.to_bytes(32, "little") for u in (0, 1, P - 1))
NON_CANONICAL = (P + 3).to_bytes(32, "little")  # the same point as u = 3, encoded above p


def on_curve(point: bytes) -> bool:
    """u names a point of Curve25519 itself (not its twist): u^3 + A u^2 + u is a square."""
    u = int.from_bytes(point, "little")
    return pow((u**3 + CURVE_A * u * u + u) % P, (P - 1) // 2, P) == 1


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
        point = psi.hash_to_group(b"phone", value)
        assert psi.is_canonical(point) and on_curve(point) and point not in psi.SMALL_ORDER


def test_montgomery_form_agrees_with_libsodium() -> None:
    # Batch inversion gives what libsodium's own Ed25519 -> X25519 conversion gives.
    edwards = [crypto_core_ed25519_from_uniform(bytes([n]) * 32) for n in range(1, 40)]
    expected = [crypto_sign_ed25519_pk_to_curve25519(e) for e in edwards]
    assert psi.to_montgomery(edwards) == expected
    assert psi.to_montgomery([]) == []


def test_exponentiation_commutes() -> None:
    a, b = psi.Key.generate(), psi.Key.generate()
    points = psi.hash_many(b"phone", PHONES[:5])
    ab = psi.exponentiate(psi.exponentiate(points, a), b)
    assert ab == psi.exponentiate(psi.exponentiate(points, b), a)
    assert ab == [crypto_scalarmult(b.scalar, crypto_scalarmult(a.scalar, p)) for p in points]


def test_small_order_points_are_those_libsodium_refuses() -> None:
    key = psi.Key.generate()
    for point in psi.SMALL_ORDER:
        with pytest.raises(psi.InvalidPoint):
            psi.exponentiate([point], key)


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
    assert all(on_curve(p) for p in received)


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
    [ZERO, ONE, MINUS_ONE, NON_CANONICAL, b"\xff" * 32, b"short"],
    ids=["zero", "one", "minus-one", "non-canonical", "high-bit", "short"],
)
def test_invalid_asked_points_refused(bad: bytes) -> None:
    good = list(psi.ask("phone", PHONES[:3]).points)
    with pytest.raises(psi.InvalidPoint):
        psi.answer("phone", [*good, bad], PHONES)


def test_non_canonical_encoding_refused_with_its_index() -> None:
    # Above p, X25519 would reduce it to another point's u: one point, two encodings.
    good = psi.hash_to_group(b"phone", PHONES[0])
    with pytest.raises(psi.InvalidPoint) as refused:
        psi.answer_points([good, NON_CANONICAL], psi.Key.generate())
    assert refused.value.error_code == "psi_invalid_point"
    assert refused.value.details == {"index": 1}


def test_points_on_the_twist_are_answered_as_x25519_answers_them() -> None:
    # u = 2 is on the twist, not on the curve; clamped X25519 answers it like any other point
    # (twist security), so nothing in the answer depends on the key beyond the usual DH.
    twist = (2).to_bytes(32, "little")
    assert not on_curve(twist)
    key = psi.Key.generate()
    assert psi.exponentiate([twist], key) == [crypto_scalarmult(key.scalar, twist)]


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
        psi.intersect(query, psi.Answer((*reply.answered[:3], ONE), reply.holder))
    with pytest.raises(psi.InvalidPoint):
        psi.intersect(query, psi.Answer(reply.answered, (*reply.holder, ZERO)))
    with pytest.raises(psi.DuplicatePoints):
        psi.intersect(query, psi.Answer(reply.answered, (*reply.holder, reply.holder[0])))
    with pytest.raises(TooLarge):
        psi.intersect(query, reply, limit=5)


def test_vessels_match_among_types() -> None:
    query, reply = _run("vessel", IMOS[:3], IMOS[2:])
    assert psi.intersect(query, reply) == [IMOS[2]]
