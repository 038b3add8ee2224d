"""Hit/no-hit without showing the data: Diffie-Hellman private set intersection.

Pure (no I/O; only the operating system's randomness for keys and shuffles). The group is
Curve25519's prime-order subgroup, in X25519's x-only form, through libsodium (PyNaCl
bindings). A value of identifier type `t` becomes H(t, v): the Montgomery u-coordinate of
from_uniform(SHA-512("csnet-psi-v2" || t || 0x00 || v)[:32]). libsodium's Elligator 2 map clears
the cofactor, so H lands in the prime-order subgroup; u = (1 + y) / (1 - y) is the birational
map from Ed25519, with the inversions of a batch done at once (Montgomery's trick).

Exponentiation is X25519 (crypto_scalarmult): about four times the speed of Ed25519's
noclamp multiplication, and safe on any input (twist-secure, clamped scalars clear small
subgroups; libsodium refuses small-order points). Clamped scalars commute, so H^ab = H^ba.

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

from nacl.bindings import crypto_core_ed25519_from_uniform, crypto_scalarmult
from nacl.exceptions import CryptoError

from csnet.errors import BadInput, TooLarge
from csnet.indicators import registry

DOMAIN = b"csnet-psi-v2"
POINT_BYTES = 32
MAX_QUERY_POINTS = 100_000  # one query; a bigger list is split by the asker
MAX_HOLDER_POINTS = 10_000_000  # what an asker accepts back: ~440 MB of JSON at most
FIELD_PRIME = 2**255 - 19
_Y_MASK = (1 << 255) - 1
# The canonical u-coordinates of Curve25519's points of small order (0, 1 and -1, and the two
# of order 8): what libsodium's X25519 refuses as input, listed for points only compared.
SMALL_ORDER = frozenset(
    u.to_bytes(32, "little")
    for u in (
        0,
        1,
        FIELD_PRIME - 1,
        0x00B8495F16056286FDB1329CEB8D09DA6AC49FF1FAE35616AEB8413B7C7AEBE0,
        0x57119FD0DD4E22D8868E1C58C45C44045BEF839C55B1D0B1248C50A3BC959C5F,
    )
)


class PsiError(BadInput):
    """A PSI message that cannot be used; the code says why."""

    code = "psi_invalid"


class InvalidPoint(PsiError):
    """Not a canonical u-coordinate, or one of small order (X25519 would give zero)."""

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
    """A secret X25519 scalar (32 random bytes, clamped by libsodium at each use: never zero
    modulo the group order); repr hides it (keys must not reach logs)."""

    scalar: bytes

    @classmethod
    def generate(cls) -> Key:
        return cls(os.urandom(32))

    def __repr__(self) -> str:
        return "Key(<secret>)"


# Sets a node offers to PSI besides the identifiers seen in its items, asked by these names:
# the document register holds canonical `document` values, tagged apart so that a register
# entry and a sighting of the same document never match each other (docs/documents.md).
DOCUMENT_REGISTER = "document_register"
HELD_SETS = frozenset({DOCUMENT_REGISTER})


def type_tag(type_name: str) -> bytes:
    """The domain-separation tag: the registry name, or a held set's (others are refused)."""
    if type_name in HELD_SETS:
        return type_name.encode("ascii")
    return registry.get(type_name).name.encode("ascii")


def _uniform(tag: bytes, value: str) -> bytes:
    return hashlib.sha512(DOMAIN + tag + b"\x00" + value.encode("utf-8")).digest()[:POINT_BYTES]


def _edwards_y(point: bytes) -> int:
    return int.from_bytes(point, "little") & _Y_MASK


def to_montgomery(edwards: Sequence[bytes]) -> list[bytes]:
    """u = (1 + y) / (1 - y) for each Ed25519 point, with one field inversion for the lot
    (Montgomery's trick). The identity (y = 1) has no u; from_uniform never yields it."""
    p, ys = FIELD_PRIME, [_edwards_y(e) for e in edwards]
    prefix, acc = [], 1
    for y in ys:
        prefix.append(acc)
        acc = acc * (1 - y) % p
    inverse = pow(acc, -1, p)  # ValueError only if some 1 - y is 0: the identity
    out = [b""] * len(ys)
    for i in range(len(ys) - 1, -1, -1):
        y = ys[i]
        out[i] = ((1 + y) * inverse * prefix[i] % p).to_bytes(POINT_BYTES, "little")
        inverse = inverse * (1 - y) % p
    return out


def hash_many(tag: bytes, values: Iterable[str]) -> list[bytes]:
    """H(tag, v) for each value, in order: u-coordinates in the prime-order subgroup."""
    return to_montgomery([crypto_core_ed25519_from_uniform(_uniform(tag, v)) for v in values])


def hash_to_group(tag: bytes, value: str) -> bytes:
    """H(tag, value): one u-coordinate, 32 bytes."""
    return hash_many(tag, [value])[0]


def exponentiate(points: Iterable[bytes], key: Key) -> list[bytes]:
    """Each point raised to the key (X25519). A non-canonical encoding, or a point of small
    order (libsodium refuses those: the result would be zero), is an InvalidPoint naming the
    index."""
    scalar, mul = key.scalar, crypto_scalarmult
    out: list[bytes] = []
    try:
        for point in points:
            if not is_canonical(point):
                raise CryptoError
            out.append(mul(scalar, point))
    except CryptoError:
        raise InvalidPoint(
            f"point {len(out)} is not a valid group element", details={"index": len(out)}
        ) from None
    return out


def blind(type_name: str, values: Iterable[str], key: Key) -> list[bytes]:
    """H(t, v)^key for each value, in order."""
    scalar, mul = key.scalar, crypto_scalarmult
    return [mul(scalar, point) for point in hash_many(type_tag(type_name), values)]


def is_canonical(point: bytes) -> bool:
    """32 bytes holding a u-coordinate below the field prime (so one value, one encoding)."""
    return len(point) == POINT_BYTES and int.from_bytes(point, "little") < FIELD_PRIME


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
    """Every point canonically encoded and not of small order (points only compared, never
    raised, still have to be possible results of X25519)."""
    for index, point in enumerate(points):
        if not is_canonical(point) or point in SMALL_ORDER:
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
