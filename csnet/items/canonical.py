"""RFC 8785 (JSON Canonicalization Scheme) with a fast path through the stdlib encoder.

`rfc8785.dumps` is the reference but walks everything in Python. The C `json` encoder with sorted
keys, compact separators and raw UTF-8 already writes JCS for the values our items carry. It runs
first; a scan of its output (outside string literals, all in C) then proves the result is JCS or
hands the value to the reference:

- strings: both escape exactly `"`, `\\` and U+0000-U+001F (short forms \\b \\f \\n \\r \\t,
  the rest as lowercase \\u00xx) and write all else raw; lone surrogates fail UTF-8 in both.
- object keys: JCS sorts by UTF-16 code units, Python by code points; the orders agree unless a
  character outside the BMP is present, so any such text takes the reference path.
- integers: identical within +-(2**53 - 1); longer digit runs take the reference path (which
  refuses integers beyond it).
- floats: `repr` equals the ES6 Number-to-String form for finite non-integral values in
  [1e-4, 1e16) (fixed notation, same shortest digits). Integral floats ("1.0" vs "1") and every
  exponent form ("1e-05" vs "0.00001") are left to the reference.

Values are JSON values: objects with string keys, arrays, strings, numbers, booleans, null.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

from csnet.errors import BadInput

SAFE_INT = 2**53 - 1
# Outside strings: float exponents always carry a sign in `repr` ("1e-05", "1e+16"); an integral
# float ends in ".0"; a run of 16+ digits may be an integer beyond the JCS range.
_INTEGRAL_FLOAT = re.compile(rb"\.0(?!\d)")
_LONG_DIGITS = re.compile(rb"\d{16}")
_INT16 = re.compile(rb"(?<![\d.])\d{16,}(?![\d.])")
_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
_NON_BMP_UTF8 = re.compile(rb"[\xf0-\xf4]")  # lead bytes of 4-byte UTF-8 sequences

_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
).encode


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value; BadInput if it has no JCS form."""
    try:
        text = _encode(obj)
        if _fast_ok(text):
            return text.encode("utf-8")
        return bytes(rfc8785.dumps(obj))
    except (ValueError, TypeError, RecursionError):  # UnicodeError is a ValueError
        return _reference_or_refuse(obj)


def canonical_json_checked(obj: Any) -> tuple[bytes, bool]:
    """canonical_json, also saying whether the stdlib encoder's output was already JCS."""
    try:
        text = _encode(obj)
        if _fast_ok(text):
            return text.encode("utf-8"), True
    except (ValueError, TypeError, RecursionError):
        pass
    return _reference_or_refuse(obj), False


def members_text(obj: dict[str, Any], names: list[str]) -> str:
    """The members `names` of `obj` as they stand in its canonical text, comma-joined.

    Only for an `obj` whose canonical text `encodes_to` proved: every part of such a text is
    written alike by the stdlib encoder, and JCS writes each member as it would be written
    alone.
    """
    return _encode({name: obj[name] for name in names})[1:-1]


def extend_canonical(obj: dict[str, Any], plain_strings: dict[str, str], *, plain: bool) -> bytes:
    """Canonical bytes of `obj` plus members whose values are plain ASCII strings (no escapes).

    When `obj` alone was plain (see canonical_json_checked), such members cannot change that,
    so the scan is skipped.
    """
    extended = obj | plain_strings
    if plain and all(set(v) <= _PLAIN for v in plain_strings.values()):
        return _encode(extended).encode("utf-8")
    return canonical_json(extended)


def _reference_or_refuse(obj: Any) -> bytes:
    try:
        return bytes(rfc8785.dumps(obj))
    except (ValueError, TypeError, RecursionError) as exc:
        raise BadInput(f"value has no canonical JSON form: {exc}", code="not_canonical") from None


def _fast_ok(text: str) -> bool:
    """True when the stdlib output is provably JCS (see the module docstring)."""
    if not text.isascii() and _NON_BMP.search(text):
        return False
    skeleton = "".join(text.replace("\\\\", "").replace('\\"', "").split('"')[::2])
    return _skeleton_ok(skeleton.encode())


def _skeleton_ok(skeleton: bytes) -> bool:
    """The numbers outside strings are written alike by the stdlib encoder and by JCS."""
    if b"e+" in skeleton or b"e-" in skeleton:
        return False
    if b"." in skeleton and _INTEGRAL_FLOAT.search(skeleton):
        return False
    if _LONG_DIGITS.search(skeleton) is None:
        return True
    return all(int(m.group()) <= SAFE_INT for m in _INT16.finditer(skeleton))


def encodes_to(obj: Any, data: bytes, skeleton: bytes) -> bool:
    """Whether `data` is provably the canonical JSON of `obj`: the stdlib encoder writes exactly
    `data`, and nothing in it is written otherwise by JCS. `skeleton` is `data` outside its
    string literals (strict_json.outside_strings, which limits.check_limits returns), so the
    scan costs nothing more. False only means "not proven": the reference then decides."""
    try:
        if _encode(obj).encode() != data:  # UnicodeEncodeError (a lone surrogate) is a ValueError
            return False
    except (ValueError, TypeError, RecursionError):
        return False
    return (data.isascii() or _NON_BMP_UTF8.search(data) is None) and _skeleton_ok(skeleton)


def reference_json(obj: Any) -> bytes:
    """The pure reference implementation, for tests and benchmarks."""
    return bytes(rfc8785.dumps(obj))


def float_fast_ok(value: float) -> bool:
    """True when `repr(value)` is already the ES6 / RFC 8785 form of the number."""
    size = abs(value)
    return 1e-4 <= size < 1e16 and not value.is_integer()
