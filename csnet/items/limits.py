"""Size, depth and key-count limits checked on raw bytes before any JSON parser sees them."""

from __future__ import annotations

import json
from typing import Any

from csnet.errors import BadInput, TooLarge
from csnet.items.strict_json import ITEM_DEPTH, deeper_than, outside_strings, strict_loads

MAX_ITEM_BYTES = 256 * 1024
MAX_DEPTH = ITEM_DEPTH
MAX_KEYS = 4096  # object members in the whole item

Raw = bytes | str | dict[str, Any]


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


def check_limits(data: bytes) -> bytes:
    """TooLarge when the item is over size, nests too deep or has too many keys; returns the
    bytes outside string literals, which it reads anyway (strict_json.outside_strings)."""
    if len(data) > MAX_ITEM_BYTES:
        raise _too_large(len(data))
    skeleton = outside_strings(data)  # why: brackets and colons inside strings do not count
    if skeleton.count(b":") > MAX_KEYS:
        raise TooLarge(f"item has more than {MAX_KEYS} keys", code="too_many_keys")
    if deeper_than(skeleton, MAX_DEPTH):
        raise TooLarge(f"item nests deeper than {MAX_DEPTH} levels", code="too_deep")
    return skeleton


def _too_large(size: int) -> TooLarge:
    return TooLarge(f"item is {size} bytes; the limit is {MAX_ITEM_BYTES}", code="item_too_large")


def parse_item(raw: Raw) -> dict[str, Any]:
    """Limits first, then a strict JSON parse to a dict (BadInput code "malformed")."""
    data = raw_bytes(raw)
    check_limits(data)
    try:
        value = strict_loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        raise BadInput(f"item is not valid JSON: {exc}", code="malformed") from None
    if not isinstance(value, dict):
        raise BadInput("an item is a JSON object", code="malformed")
    return value
