"""Batch framing: one item per line, so a receiver finds each item's signed bytes without a parser.

A batch is plain JSON, `{"items":[...]}`. csnet senders write it as

    {"items":[\n<item bytes>,\n<item bytes>\n]}

Canonical JSON never holds a raw newline (control characters inside strings are escaped), so
the lines are the items exactly as their origins signed them: they can be checked, stored and
passed on as received, with no parse-and-reserialise round trip. Any other spelling is still
valid JSON and is read with a JSON parser instead (`split_lines` returns None for it).
"""

from __future__ import annotations

from collections.abc import Sequence

HEAD = b'{"items":[\n'
TAIL = b"\n]}"
SEPARATOR = b",\n"


def join_lines(raws: Sequence[bytes]) -> bytes:
    """The batch body for items given as their canonical bytes."""
    if not raws:
        return b'{"items":[]}'
    return HEAD + SEPARATOR.join(raws) + TAIL


def split_lines(body: bytes) -> list[bytes] | None:
    """Each item's bytes when the body is framed one item per line; None: parse it as JSON.

    A line is taken as an item only if it is one balanced JSON object standing alone; anything
    else (a split inside an item, two objects on a line) sends the whole body to the parser, so
    the framing can never change what the JSON means.
    """
    if not (body.startswith(HEAD) and body.endswith(TAIL)) or len(body) < len(HEAD + TAIL):
        return None
    lines = body[len(HEAD) : len(body) - len(TAIL)].split(SEPARATOR)
    return lines if all(_one_object(line) for line in lines) else None


def _one_object(line: bytes) -> bool:
    if line[:1] != b"{" or line[-1:] != b"}":
        return False
    depth = 0
    brackets = _structure(line)
    for at, char in enumerate(brackets):
        depth += 1 if char in b"[{" else -1
        # why: depth back at zero before the last bracket means a second value on the line
        if depth < 0 or (depth == 0 and at != len(brackets) - 1):
            return False
    return depth == 0


def _structure(data: bytes) -> bytes:
    """The brackets of a JSON text outside its string literals (cf. items/limits.py)."""
    parts = data.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')
    if len(parts) % 2 == 0:  # an unterminated string: not an object we can frame
        return b"]"
    outside = b"".join(parts[::2])
    return outside.translate(None, _NOT_BRACKETS)


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
