"""RFC 8785 (JSON Canonicalization Scheme) with a fast path through the stdlib encoder.

`rfc8785.dumps` is the reference but walks everything in Python. The C `json` encoder with sorted
keys, compact separators and raw UTF-8 already writes JCS for the values our items carry, so a
quick walk proves the value is in that set and otherwise we fall back to the reference:

- strings: both escape exactly `"`, `\\` and U+0000-U+001F (short forms \\b \\f \\n \\r \\t,
  the rest as lowercase \\u00xx) and write all else raw; lone surrogates fail UTF-8 in both.
- object keys: JCS sorts by UTF-16 code units, Python by code points; the orders agree unless a
  key holds a character outside the BMP, so such keys take the reference path.
- integers: identical within +-(2**53 - 1); outside it JCS refuses them (reference path raises).
- floats: `repr` equals the ES6 Number-to-String form exactly for finite non-integral values
  in [1e-4, 1e16) (both fixed notation, same shortest digits), and for magnitudes >= 1e21 or
  < 1e-9 (both exponent notation with at least two exponent digits). Everything else (integral
  floats "1.0" vs "1", "1e-05" vs "0.00001", "1e+16" vs "10000000000000000", -0.0, NaN) is
  left to the reference.
"""

from __future__ import annotations

import json
import math
from typing import Any

import rfc8785

from csnet.errors import BadInput

SAFE_INT = 2**53 - 1
_FAST_DEPTH = 64  # deeper values (or cycles) take the reference path, which then fails cleanly

_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
).encode


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value; BadInput if it has no JCS form."""
    try:
        if _fast_ok(obj, 0):
            return _encode(obj).encode("utf-8")
        return bytes(rfc8785.dumps(obj))
    except (ValueError, TypeError, RecursionError) as exc:  # UnicodeError is a ValueError
        raise BadInput(f"value has no canonical JSON form: {exc}", code="not_canonical") from None


def reference_json(obj: Any) -> bytes:
    """The pure reference implementation, for tests and benchmarks."""
    return bytes(rfc8785.dumps(obj))


def float_fast_ok(value: float) -> bool:
    """True when `repr(value)` is already the ES6 / RFC 8785 form of the number."""
    size = abs(value)
    if 1e-4 <= size < 1e16:
        return not value.is_integer()
    return (1e21 <= size < math.inf) or (0.0 < size < 1e-9)


def _fast_ok(node: Any, depth: int) -> bool:
    """Walk a value; True when the stdlib encoder is provably byte-identical to JCS for it."""
    kind = type(node)  # why: exact type tests first; they halve the walk's cost
    if kind is dict or (kind is not str and isinstance(node, dict)):
        return _dict_ok(node, depth)
    if kind is list or kind is tuple or isinstance(node, list | tuple):
        return _list_ok(node, depth)
    return _scalar_ok(node)


def _scalar_ok(node: Any) -> bool:
    if node is None or isinstance(node, str | bool):
        return True
    if isinstance(node, int):
        return -SAFE_INT <= node <= SAFE_INT
    if isinstance(node, float):
        return float_fast_ok(node)
    return False  # anything else is not JSON: let the reference raise its error


def _dict_ok(node: dict[Any, Any], depth: int) -> bool:
    if depth > _FAST_DEPTH:
        return False
    for key, value in node.items():
        if not isinstance(key, str) or not (key.isascii() or _bmp_only(key)):
            return False
        if type(value) is not str and not _fast_ok(value, depth + 1):
            return False
    return True


def _list_ok(node: list[Any] | tuple[Any, ...], depth: int) -> bool:
    if depth > _FAST_DEPTH:
        return False
    return all(type(value) is str or _fast_ok(value, depth + 1) for value in node)


def _bmp_only(text: str) -> bool:
    return max(text, default="") <= "\uffff"
