"""Batch framing: one item per line when it is safe, the JSON parser whenever it is not."""

from __future__ import annotations

import json

import pytest

from csnet.federation.framing import join_lines, split_lines

A = b'{"a":"x,\\n\\"},{\\"","b":[1,{"c":{}}]}'
B = b'{"id":"2","text":"line\\\\"}'


def test_join_then_split_gives_the_items_back() -> None:
    body = join_lines([A, B])
    assert json.loads(body) == {"items": [json.loads(A), json.loads(B)]}
    assert split_lines(body) == [A, B]


def test_an_empty_batch_is_plain_json() -> None:
    assert join_lines([]) == b'{"items":[]}'
    assert split_lines(join_lines([])) is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"items":[' + A + b"," + B + b"]}",  # compact: not framed
        b'{"items":[\n{"a":[{},\n{}]}\n]}',  # a line break inside an item
        b'{"items":[\n{"a":1}, {"b":2}\n]}',  # two items on one line
        b'{"items":[\n{"a":"open}\n]}',  # an unterminated string
        b'{"items":[\n{"a":1}}{\n]}',  # closes before the end of the line
        b'{"items":[\n[1]\n]}',  # not an object
        b'{"items":[\n\n]}',
    ],
)
def test_anything_else_goes_to_the_parser(body: bytes) -> None:
    assert split_lines(body) is None
