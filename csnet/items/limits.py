"""Size, depth and key-count limits checked on raw bytes before any JSON parser sees them."""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from csnet.errors import BadInput, TooLarge

MAX_ITEM_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_KEYS = 4096  # object members in the whole item

Raw = bytes | str | dict[str, Any]

_LEAF = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def raw_bytes(raw: Raw) -> bytes:
    """The raw item as bytes; a dict is serialised first so every input meets the same limits."""
    if isinstance(raw, bytes | bytearray | memoryview):
        return bytes(raw)
    if isinstance(raw, str):
        if len(raw) > MAX_ITEM_BYTES:  # why: refuse before paying for the encoding
            raise _too_large(len(raw))
        try:
            return raw.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput("item is not valid UTF-8", code="malformed") from None
    if isinstance(raw, dict):
        return _dump_dict(raw)
    raise BadInput(f"an item is JSON bytes, text or an object, not {type(raw).__name__}")


def _dump_dict(raw: dict[str, Any]) -> bytes:
    try:
        return json.dumps(raw, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except RecursionError:
        raise TooLarge(f"item nests deeper than {MAX_DEPTH} levels", code="too_deep") from None
    except (TypeError, ValueError) as exc:
        raise BadInput(f"item is not JSON: {exc}", code="malformed") from None


def check_limits(data: bytes) -> None:
    """TooLarge when the item is over size, nests too deep or has too many keys."""
    if len(data) > MAX_ITEM_BYTES:
        raise _too_large(len(data))
    skeleton = _outside_strings(data)  # why: brackets and colons inside strings do not count
    if skeleton.count(b":") > MAX_KEYS:
        raise TooLarge(f"item has more than {MAX_KEYS} keys", code="too_many_keys")
    if _deeper_than(skeleton.translate(None, _NOT_BRACKETS), MAX_DEPTH):
        raise TooLarge(f"item nests deeper than {MAX_DEPTH} levels", code="too_deep")


def _outside_strings(data: bytes) -> bytes:
    """The bytes of a JSON text that are not inside string literals (exact for valid JSON).

    Dropping every escaped backslash, then every escaped quote, leaves only the delimiting
    quotes, so splitting on '"' alternates outside/inside. All in C, unlike a regex scan.
    """
    parts = data.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')
    return b"".join(parts[::2])


def _deeper_than(brackets: bytes, limit: int) -> bool:
    """Each pass strips every innermost [] / {} pair, i.e. one nesting level, all in C."""
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False  # why: depth never exceeds the number of openers; the common case
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _LEAF.sub(b"", brackets)
    # Pairs left after `limit` passes mean deeper nesting; unbalanced leftovers are the parser's.
    return _LEAF.search(brackets) is not None


def _too_large(size: int) -> TooLarge:
    return TooLarge(f"item is {size} bytes; the limit is {MAX_ITEM_BYTES}", code="item_too_large")


def parse_item(raw: Raw) -> dict[str, Any]:
    """Limits first, then a strict JSON parse to a dict (BadInput code "malformed")."""
    data = raw_bytes(raw)
    check_limits(data)
    try:
        value = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        raise BadInput(f"item is not valid JSON: {exc}", code="malformed") from None
    if not isinstance(value, dict):
        raise BadInput("an item is a JSON object", code="malformed")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # why: parsers disagree on duplicate keys; a signed item must mean one thing everywhere
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in object")
    return result


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")
