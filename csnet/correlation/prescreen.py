"""Keyed Bloom filters: an optional pre-screen before PSI, for high-entropy types only.

Pure (no I/O). A filter holds a node's values of one identifier type under a sharing group's
secret key (federation/prescreen_keys.py): bit i of the filter is set when some held value `v`
maps to i, where the k indexes of `v` come from one keyed BLAKE2b digest

    d = BLAKE2b-128(key, person="csnet-bloom-v1", type || 0x00 || v)
    index_j = (d[0:8] + j * (d[8:16] | 1)) mod m     (little-endian; j = 0 … k-1)

(Kirsch-Mitzenmacher double hashing). Without the key nobody can test a value; with it, anyone
can, offline, which is why only types whose values cannot be enumerated are allowed
(docs/indicators.md, "Pre-screen (keyed Bloom filters)"). A filter has no false negatives, so
dropping the values it rejects never changes a PSI result.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from csnet.correlation import psi
from csnet.errors import BadInput, TooLarge
from csnet.items.keys import b64url, b64url_decode
from csnet.items.prescreen_key import KEY_BYTES

# Crypto wallet addresses (160 bits or more) and travel/identity document numbers (state, type
# and up to 20 letters and digits): values nobody can list exhaustively. Phone numbers, plates,
# vessel numbers and the like fill small spaces that a key holder could test in full.
HIGH_ENTROPY_TYPES = frozenset({"wallet", "document"})
PERSON = b"csnet-bloom-v1"
MIN_CAPACITY = 64
MIN_BITS = 64
MAX_BITS = 1 << 28  # 32 MiB of filter, about 28 million values at a 1 % false-positive rate
MAX_HASHES = 32
_LN2 = math.log(2)
_FIELDS = frozenset({"bits", "hashes", "filter"})


class PrescreenError(BadInput):
    """A filter that cannot be used; the code says why."""

    code = "prescreen_bad_filter"


@dataclass(frozen=True)
class Shape:
    """m bits and k indexes per value."""

    bits: int
    hashes: int


@dataclass(frozen=True)
class BloomFilter:
    shape: Shape
    data: bytes


def type_tag(type_name: str) -> bytes:
    """The PSI tag of a type allowed in a pre-screen (else BadInput prescreen_type_refused)."""
    tag = psi.type_tag(type_name)  # unknown types are refused first
    if type_name not in HIGH_ENTROPY_TYPES:
        allowed = ", ".join(sorted(HIGH_ENTROPY_TYPES))
        raise BadInput(
            f"type {type_name!r} is not allowed in a pre-screen (only {allowed})",
            code="prescreen_type_refused",
        )
    return tag


def shape_for(count: int, fp_rate: float) -> Shape:
    """Bits and indexes for `count` values at `fp_rate`.

    why: the size follows the next power of two at or above `count`, so it tells a reader the
    order of magnitude of what the holder has, not the number (the fill still estimates it).
    """
    if not 0 < fp_rate < 1:
        raise ValueError(f"false-positive rate {fp_rate} is not between 0 and 1")
    capacity = max(MIN_CAPACITY, 1 << max(0, count - 1).bit_length())
    bits = 8 * math.ceil(-capacity * math.log(fp_rate) / (_LN2 * _LN2) / 8)
    if bits > MAX_BITS:
        raise TooLarge(
            f"{count} values need a filter over {MAX_BITS} bits", code="prescreen_too_many_values"
        )
    return Shape(bits, max(1, min(MAX_HASHES, round(bits / capacity * _LN2))))


def _hasher(key: bytes, type_name: str) -> hashlib.blake2b:
    """BLAKE2b keyed with the group key, already fed the type tag and separator."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a pre-screen key is {KEY_BYTES} bytes")
    tag = type_tag(type_name)
    return hashlib.blake2b(tag + b"\x00", key=key, digest_size=16, person=PERSON)


def _indexes(hasher: hashlib.blake2b, value: str, shape: Shape) -> Iterator[int]:
    own = hasher.copy()
    own.update(value.encode("utf-8"))
    digest = own.digest()
    # why: (a + j·b) mod m equals (a mod m + j·(b mod m)) mod m, and the small terms let a range
    # step through the k indexes without a big multiplication each (b mod m is odd, never 0)
    first = int.from_bytes(digest[:8], "little") % shape.bits
    step = (int.from_bytes(digest[8:], "little") | 1) % shape.bits
    return (i % shape.bits for i in range(first, first + shape.hashes * step, step))


def build(key: bytes, type_name: str, values: Iterable[str], fp_rate: float) -> BloomFilter:
    """The filter of `values` (canonical, of one high-entropy type) under `key`."""
    hasher = _hasher(key, type_name)
    distinct = set(values)
    shape = shape_for(len(distinct), fp_rate)
    bits = bytearray(shape.bits // 8)
    for value in distinct:
        for index in _indexes(hasher, value, shape):
            bits[index >> 3] |= 1 << (index & 7)
    return BloomFilter(shape, bytes(bits))


def keep(bloom: BloomFilter, key: bytes, type_name: str, values: Iterable[str]) -> list[str]:
    """The values that pass the filter, in order: a superset of those the holder has (a value
    that fails is certainly not held; one that passes may be)."""
    hasher, data = _hasher(key, type_name), bloom.data
    return [
        v
        for v in values
        if all(data[i >> 3] >> (i & 7) & 1 for i in _indexes(hasher, v, bloom.shape))
    ]


def to_json(bloom: BloomFilter) -> dict[str, Any]:
    return {"bits": bloom.shape.bits, "hashes": bloom.shape.hashes, "filter": b64url(bloom.data)}


def from_json(data: Any) -> BloomFilter:
    """A received filter, every field checked (PrescreenError otherwise)."""
    if not isinstance(data, dict) or not set(data) >= _FIELDS:
        raise PrescreenError('a filter is {"bits", "hashes", "filter"}')
    bits, hashes, text = data["bits"], data["hashes"], data["filter"]
    if type(bits) is not int or not MIN_BITS <= bits <= MAX_BITS or bits % 8:
        raise PrescreenError(f"bits is a multiple of 8 from {MIN_BITS} to {MAX_BITS}")
    if type(hashes) is not int or not 1 <= hashes <= MAX_HASHES:
        raise PrescreenError(f"hashes is from 1 to {MAX_HASHES}")
    if not isinstance(text, str):
        raise PrescreenError("filter is unpadded base64url")
    try:
        raw = b64url_decode(text)
    except BadInput:
        raise PrescreenError("filter is unpadded base64url") from None
    if len(raw) != bits // 8:
        raise PrescreenError("the filter does not have `bits` bits")
    return BloomFilter(Shape(bits, hashes), raw)
