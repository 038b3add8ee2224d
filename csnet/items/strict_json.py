"""The one parser for JSON from outside (request bodies, peers' answers, tokens, cursors).

Python's json module recurses once per nesting level, so a deep enough text raises
RecursionError (a 500, not a clear refusal), and it keeps the last of duplicated keys, which
lets one body mean two things. Here the depth is counted on the raw bytes first (in C, no
recursion), then the text is parsed with duplicate keys and NaN/Infinity refused.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from csnet.errors import BadInput, TooLarge

ITEM_DEPTH = 32  # an item's own limit (items/limits.py)
# Room for what carries an item ({"items": [...]}, {"envelope": ...}) around the item's limit.
MAX_DEPTH = ITEM_DEPTH + 8

_LEAF = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


# a \u0000 escape whose backslash is not itself escaped (an even run of backslashes before it)
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def holds_nul(data: bytes) -> bool:
    """Whether the JSON text spells a NUL character (raw bytes or a \u0000 escape)."""
    return b"\x00" in data or _NUL_ESCAPE.search(data) is not None


def check_depth(data: bytes, max_depth: int = MAX_DEPTH, what: str = "body") -> None:
    """TooLarge(code "too_deep") when the JSON text nests deeper than `max_depth`."""
    if deeper_than(outside_strings(data), max_depth):
        raise TooLarge(f"{what} nests deeper than {max_depth} levels", code="too_deep")


def outside_strings(data: bytes) -> bytes:
    """The bytes of a JSON text that are not inside string literals (exact for valid JSON).

    Dropping every escaped backslash, then every escaped quote, leaves only the delimiting
    quotes, so splitting on '"' alternates outside/inside. All in C, unlike a regex scan.
    """
    parts = data.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')
    return b"".join(parts[::2])


def deeper_than(skeleton: bytes, limit: int) -> bool:
    """Whether the brackets of `skeleton` (from `outside_strings`) nest deeper than `limit`.

    Each pass strips every innermost [] / {} pair, i.e. one nesting level, all in C.
    """
    brackets = skeleton.translate(None, _NOT_BRACKETS)
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False  # why: depth never exceeds the number of openers; the common case
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _LEAF.sub(b"", brackets)
    # Pairs left after `limit` passes mean deeper nesting; unbalanced leftovers are the parser's.
    return _LEAF.search(brackets) is not None


def loads(
    data: bytes | str,
    *,
    max_depth: int = MAX_DEPTH,
    what: str = "body",
    code: str = "malformed",
) -> Any:
    """Parse after the depth check; BadInput(`code`) for anything that is not strict JSON."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    check_depth(raw, max_depth, what)
    try:
        return strict_loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        # why: unbalanced openers pass the depth count; the recursion guard still answers 4xx
        raise BadInput(f"{what} is not valid JSON: {_reason(exc)}", code=code) from None


def strict_loads(data: bytes) -> Any:
    """json.loads refusing duplicate keys and NaN/Infinity (ValueError); no depth check."""
    return json.loads(data, object_pairs_hook=no_duplicates, parse_constant=_no_constant)


class DuplicateKey(ValueError):
    """An object names one member twice."""


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # why: parsers disagree on duplicate keys; what was sent must mean one thing everywhere
    result = dict(pairs)
    if len(result) != len(pairs):
        raise DuplicateKey("duplicate key in object")
    return result


def check_no_duplicates(data: bytes, what: str = "body") -> None:
    """BadInput for JSON that names one member twice; other parse errors are left to the
    caller's own parser (which answers them in its own words)."""
    try:
        strict_loads(data)
    except DuplicateKey:
        raise BadInput(f"{what} names one member twice", code="duplicate_key") from None
    except (ValueError, RecursionError):
        return


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _reason(exc: BaseException) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
