"""RFC 8785 known answers, and the fast path proven equal to the reference implementation."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from csnet.errors import BadInput
from csnet.items.canonical import canonical_json, float_fast_ok, reference_json
from tests.conftest import examples

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]

# The brief's own examples (RFC 8785 §3.2.2.3 / ES6 Number serialisation).
NUMBERS = [
    (1e21, "1e+21"),
    (333333333.33333329, "333333333.3333333"),
    (4.50, "4.5"),
    (2e-3, "0.002"),
    (0.000001, "0.000001"),
    (1e-7, "1e-7"),
    (-0.0, "0"),
    (1e30, "1e+30"),
    (1e-27, "1e-27"),
    (1.0, "1"),
    (1e16, "10000000000000000"),
    (1e-5, "0.00001"),
]

# RFC 8785 §3.2.2 sample input and its canonical output.
RFC_SAMPLE_JSON = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC_SAMPLE_OUT = (
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
    '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
)

# RFC 8785 §3.2.3 sorting example: keys ordered by UTF-16 code units.
RFC_SORT_JSON = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC_SORT_OUT = (
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
    '"ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign",'
    '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
)


def _from_bits(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_appendix_b_numbers(bits: str, expected: str) -> None:
    assert canonical_json(_from_bits(bits)) == expected.encode()
    assert canonical_json([_from_bits(bits)]) == f"[{expected}]".encode()


@pytest.mark.parametrize(("value", "expected"), NUMBERS)
def test_number_examples(value: float, expected: str) -> None:
    assert canonical_json({"n": value}) == f'{{"n":{expected}}}'.encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinity_are_refused(bits: str) -> None:
    with pytest.raises(BadInput) as info:
        canonical_json({"n": _from_bits(bits)})
    assert info.value.error_code == "not_canonical"


def test_rfc_sample_object() -> None:
    assert canonical_json(json.loads(RFC_SAMPLE_JSON)) == RFC_SAMPLE_OUT.encode()


def test_rfc_key_sorting_by_utf16_units() -> None:
    assert canonical_json(json.loads(RFC_SORT_JSON)) == RFC_SORT_OUT.encode()


@pytest.mark.parametrize(
    "bad",
    [2**53, -(2**53), {"s": "\ud800"}, {"\udfff": 1}, {"x": object()}, {"t": {1, 2}}],
)
def test_values_without_a_canonical_form(bad: Any) -> None:
    with pytest.raises(BadInput):
        canonical_json(bad)


def test_non_string_keys_are_written_as_json_writes_them() -> None:
    # Items come from JSON text or model dumps, whose keys are strings; a Python int key is
    # serialised as its decimal string, exactly as the JSON round trip would spell it.
    assert canonical_json({1: "x"}) == canonical_json({"1": "x"}) == b'{"1":"x"}'


def test_typical_item_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(obj: Any) -> bytes:
        raise AssertionError("reference path used")

    monkeypatch.setattr(rfc8785, "dumps", refuse)
    value = {"b": [1, "ü", None, True, 32.93, -12.5], "a": {"z": "\n", "é": 2**53 - 1}}
    assert canonical_json(value) == b'{"a":{"z":"\\n","\xc3\xa9":9007199254740991},' + (
        b'"b":[1,"\xc3\xbc",null,true,32.93,-12.5]}'
    )


def _outcome(fn: Any, value: Any) -> tuple[str, bytes]:
    try:
        return "ok", bytes(fn(value))
    except Exception:
        return "error", b""


# Floats cover every exponent band; keys and strings include astral characters and escapes.
_floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [1e-4, 1e16, 1e21, 1e-9, 1e-7, 1e-6, 5e-324, 2.0**53, 123.0, 0.5, -0.0]
).flatmap(lambda f: st.sampled_from([f, math.nextafter(f, 0), math.nextafter(f, math.inf), -f]))
_text = (
    st.text(st.characters(codec="utf-8"), max_size=12)
    | st.text(max_size=4)
    | st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2)  # lone surrogates
)
_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**54), max_value=2**54) | _floats | _text
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=examples(600), deadline=None)
@given(_json)
def test_fast_path_equals_reference(value: Any) -> None:
    fast = _outcome(canonical_json, value)
    assert fast == _outcome(rfc8785.dumps, value)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.characters(), max_size=8), st.text(st.characters(), max_size=8))
def test_key_order_equals_reference(a: str, b: str) -> None:
    value = {a: 1, b: 2, a + b: 3}
    assert _outcome(canonical_json, value) == _outcome(rfc8785.dumps, value)


@settings(max_examples=examples(1000), deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_fast_float_rule_is_exact(value: float) -> None:
    if float_fast_ok(value):
        assert repr(value).encode() == reference_json(value)


def test_reference_json_is_rfc8785() -> None:
    assert reference_json({"b": 1.0, "a": [1e21]}) == b'{"a":[1e+21],"b":1}'
