"""The one rule for characters in typed text: NUL never, bidi controls not in one-line fields."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from csnet.errors import BadInput
from csnet.safe_text import BIDI_CONTROLS, MultiLine, OneLine, refused_character, require_line

LINE = TypeAdapter(OneLine)
TEXT = TypeAdapter(MultiLine)
EXPECTED_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_every_bidi_control_is_listed() -> None:
    assert frozenset(EXPECTED_BIDI) == BIDI_CONTROLS


@pytest.mark.parametrize("char", sorted(EXPECTED_BIDI))
def test_a_one_line_field_refuses_each_bidi_control(char: str) -> None:
    with pytest.raises(ValidationError) as raised:
        LINE.validate_python(f"invoice{char}fdp.exe")
    message = str(raised.value)
    assert f"U+{ord(char):04X}" in message and refused_character(message)


@pytest.mark.parametrize("adapter", [LINE, TEXT])
def test_nul_is_refused_in_every_text(adapter: TypeAdapter[str]) -> None:
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python("a\x00b")
    assert "NUL" in str(raised.value)


def test_multi_line_text_keeps_bidi_controls_and_plain_text_passes() -> None:
    mixed = "Meeting at \u202bمحطة الحافلات\u202c at 10:00"
    assert TEXT.validate_python(mixed) == mixed
    assert LINE.validate_python("Σκάφος νότια της Κρήτης") == "Σκάφος νότια της Κρήτης"
    assert LINE.validate_python("قارب مطاطي") == "قارب مطاطي"


def test_require_line_names_the_field() -> None:
    with pytest.raises(BadInput) as raised:
        require_line("ops\u202eteam", "name", code="bad_group_name")
    assert raised.value.error_code == "bad_group_name"
    assert raised.value.message.startswith("name: bidirectional control character U+202E")


TERMINAL_CONTROLS = ["\x1b", "\x07", "\x08", "\x7f", "\x85", "\x9b", "\x9d", "\x0b", "\x0c"]


@pytest.mark.parametrize("char", [*TERMINAL_CONTROLS, "\n", "\r", "\t"])
def test_a_one_line_field_refuses_every_control_character(char: str) -> None:
    with pytest.raises(ValidationError) as raised:
        LINE.validate_python(f"Boat{char}[2J")
    message = str(raised.value)
    assert f"control character U+{ord(char):04X}" in message and refused_character(message)


@pytest.mark.parametrize("char", TERMINAL_CONTROLS)
def test_multi_line_text_refuses_terminal_controls(char: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TEXT.validate_python(f"About 40 people{char}]0;pwned")
    assert f"control character U+{ord(char):04X}" in str(raised.value)


def test_multi_line_text_keeps_tab_and_line_breaks() -> None:
    text = "Departure 02:00\r\n\tabout 40 people\nsecond boat later"
    assert TEXT.validate_python(text) == text
    assert LINE.validate_python("Boat\u00a0near\u00adZuwara") == "Boat\u00a0near\u00adZuwara"


def test_require_line_names_the_field_for_a_control_character() -> None:
    with pytest.raises(BadInput) as raised:
        require_line("ops\x1b[2Jteam", "name")
    assert raised.value.message == (
        "name: control character U+001B is not accepted in a title, tag or name"
    )
