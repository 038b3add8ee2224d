"""Hit/no-hit without showing the data: Diffie-Hellman private set intersection.

Pure (no I/O; only the operating system's randomness for keys and shuffles). The group is the
prime-order subgroup of Ed25519 through libsodium (PyNaCl bindings). A value of identifier type
`t` becomes the point H(t, v) = from_uniform(SHA-512("csnet-psi-v1" || t || 0x00 || v)[:32]);
libsodium's Elligator 2 map clears the cofactor, so H lands in the prime-order subgroup.

The asker A (set X, secret scalar a) sends {H(x)^a}, shuffled. The holder B (set Y, secret b)
answers {(H(x)^a)^b} in the order received and {H(y)^b} shuffled. A raises the latter to a and
keeps the x whose H(x)^ab is among the {H(y)^ba}. A learns X ∩ Y and |Y|; B learns |X| only
(it never sees A's result). Keys are fresh per query, so answers cannot be linked across
queries. docs/indicators.md, "Hit/no-hit (PSI)", is the description for people.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nacl.bindings import (
    crypto_core_ed25519_from_uniform,
    crypto_core_ed25519_is_valid_point,
    crypto_core_ed25519_scalar_reduce,
    crypto_scalarmult_ed25519_noclamp,
)
from nacl.exceptions import CryptoError

from csnet.errors import BadInput, TooLarge
from csnet.indicators import registry

DOMAIN = b"csnet-psi-v1"
POINT_BYTES = 32
MAX_QUERY_POINTS = 100_000  # one query; a bigger list is split by the asker
MAX_HOLDER_POINTS = 10_000_000  # what an asker accepts back: ~440 MB of JSON at most
_ZERO_SCALAR = bytes(32)


class PsiError(BadInput):
    """A PSI message that cannot be used; the code says why."""

    code = "psi_invalid"


class InvalidPoint(PsiError):
    """Not the canonical encoding of a point of the prime-order subgroup (or the identity)."""

    code = "psi_invalid_point"


class DuplicatePoints(PsiError):
    """The same point twice: with fresh keys only a repeated value does this, so refuse it."""

    code = "psi_duplicate_points"


class PointCountMismatch(PsiError):
    """The holder's answer does not have one point per point asked."""

    code = "psi_count_mismatch"


class TooManyPoints(TooLarge):
    code = "psi_too_many_points"


@dataclass(frozen=True, repr=False)
class Key:
    """A secret scalar mod the group order L; repr hides it (keys must not reach logs)."""

    scalar: bytes

    @classmethod
    def generate(cls) -> Key:
        # Reducing 64 uniform bytes mod L gives a scalar with negligible bias; zero is refused.
        while True:
            scalar = crypto_core_ed25519_scalar_reduce(os.urandom(64))
            if scalar != _ZERO_SCALAR:
                return cls(scalar)

    def __repr__(self) -> str:
        return "Key(<secret>)"


def type_tag(type_name: str) -> bytes:
    """The domain-separation tag: the registry name (unknown names are refused)."""
    return registry.get(type_name).name.encode("ascii")


def hash_to_group(tag: bytes, value: str) -> bytes:
    """H(tag, value): a point of the prime-order subgroup, 32 bytes."""
    digest = hashlib.sha512(DOMAIN + tag + b"\x00" + value.encode("utf-8")).digest()
    return crypto_core_ed25519_from_uniform(digest[:POINT_BYTES])


def exponentiate(points: Iterable[bytes], key: Key) -> list[bytes]:
    """Each point raised to the key. libsodium checks every input on the way (canonical,
    on the curve, in the prime-order subgroup, not of small order) and refuses an identity
    result; either failure is an InvalidPoint naming the index."""
    scalar, mul = key.scalar, crypto_scalarmult_ed25519_noclamp
    out: list[bytes] = []
    try:
        for point in points:
            out.append(mul(scalar, point))
    except CryptoError:
        raise InvalidPoint(
            f"point {len(out)} is not a valid group element", details={"index": len(out)}
        ) from None
    return out


def blind(type_name: str, values: Iterable[str], key: Key) -> list[bytes]:
    """H(t, v)^key for each value, in order (hashing and exponentiation fused in one pass)."""
    tag, mul, scalar = type_tag(type_name), crypto_scalarmult_ed25519_noclamp, key.scalar
    return [mul(scalar, hash_to_group(tag, value)) for value in values]


def check_points(points: Sequence[bytes], limit: int, what: str) -> None:
    """Count, length and uniqueness of received points (validity is checked where they are
    used: exponentiation, or `check_valid` for points only compared)."""
    if len(points) > limit:
        raise TooManyPoints(f"{what}: {len(points)} points, at most {limit}")
    if any(len(p) != POINT_BYTES for p in points):
        raise InvalidPoint(f"{what}: every point is {POINT_BYTES} bytes")
    if len(set(points)) != len(points):
        raise DuplicatePoints(f"{what}: the same point appears twice")


def check_valid(points: Sequence[bytes], what: str) -> None:
    """Every point a non-identity element of the prime-order subgroup, canonically encoded."""
    for index, point in enumerate(points):
        if not crypto_core_ed25519_is_valid_point(point):
            raise InvalidPoint(
                f"{what}: point {index} is not a valid group element", details={"index": index}
            )


def shuffled(points: Iterable[bytes]) -> list[bytes]:
    out = list(points)
    secrets.SystemRandom().shuffle(out)
    return out


@dataclass(frozen=True, repr=False)
class Query:
    """The asker's state for one query: `points[i]` is H(values[i])^key; only points are sent."""

    type_name: str
    values: tuple[str, ...]
    points: tuple[bytes, ...]
    key: Key


@dataclass(frozen=True)
class Answer:
    """The holder's reply: `answered[i]` = points[i]^b; `holder` = {H(y)^b}, shuffled."""

    answered: tuple[bytes, ...]
    holder: tuple[bytes, ...]


def query_values(values: Iterable[str], limit: int = MAX_QUERY_POINTS) -> list[str]:
    """The distinct values of a query in a random order (at most `limit`)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) > limit:
        raise TooManyPoints(f"at most {limit} values per query, got {len(distinct)}")
    secrets.SystemRandom().shuffle(distinct)
    return distinct


def ask(type_name: str, values: Iterable[str], key: Key | None = None) -> Query:
    """Blind the distinct canonical `values` of one type, in a random order (so the order sent
    says nothing about how the asker's list was sorted)."""
    distinct = query_values(values)
    key = key or Key.generate()
    points = blind(type_name, distinct, key)
    return Query(type_name, tuple(distinct), tuple(points), key)


def answer_points(asked: Sequence[bytes], key: Key, limit: int = MAX_QUERY_POINTS) -> list[bytes]:
    """The holder's first half: each asked point raised to b, in the order received."""
    check_points(asked, limit, "asked")
    return exponentiate(asked, key)


def holder_points(type_name: str, held: Iterable[str], key: Key) -> list[bytes]:
    """The holder's second half: {H(y)^b} for its distinct values, shuffled."""
    return shuffled(blind(type_name, dict.fromkeys(held), key))


def answer(
    type_name: str,
    asked: Sequence[bytes],
    held: Iterable[str],
    key: Key | None = None,
    limit: int = MAX_QUERY_POINTS,
) -> Answer:
    """Everything the holder sends back for one query (a fresh key unless one is given)."""
    key = key or Key.generate()
    answered = answer_points(asked, key, limit)
    return Answer(tuple(answered), tuple(holder_points(type_name, held, key)))


def finish_holder(holder: Sequence[bytes], key: Key, limit: int = MAX_HOLDER_POINTS) -> set[bytes]:
    """The asker's view of the holder's set: {H(y)^ba}, after checking the points."""
    check_points(holder, limit, "holder")
    return set(exponentiate(holder, key))


def check_answered(query: Query, answered: Sequence[bytes]) -> None:
    """One answered point per point asked, each 32 bytes, none twice (validity: check_valid)."""
    if len(answered) != len(query.points):
        raise PointCountMismatch(f"{len(answered)} answered points for {len(query.points)} asked")
    check_points(answered, len(query.points), "answered")


def select(query: Query, answered: Sequence[bytes], holder_ab: set[bytes]) -> list[str]:
    """The asked values whose doubly blinded point is among the holder's, in the order asked."""
    return [v for v, p in zip(query.values, answered, strict=True) if p in holder_ab]


def matches(query: Query, answered: Sequence[bytes], holder_ab: set[bytes]) -> list[str]:
    """`select` after checking the answered points."""
    check_answered(query, answered)
    check_valid(answered, "answered")
    return select(query, answered, holder_ab)


def intersect(query: Query, reply: Answer, limit: int = MAX_HOLDER_POINTS) -> list[str]:
    """The asker's result: which of its values the holder also holds."""
    return matches(query, reply.answered, finish_holder(reply.holder, query.key, limit))
