"""Tolerant input, errors with their places, repairs only where a check digit confirms them."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from csnet.mrz import read
from csnet.mrz.digits import char_value
from csnet.mrz.parse import _checks, _layout
from csnet.mrz.zone import fit

TODAY = date(2026, 12, 8)
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = ["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2",
       "STEVENSON<<PETER<JOHN<<<<<<<<<"]  # fmt: skip
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
MRVA = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
]


def test_lower_case_spaces_and_line_breaks_are_tolerated() -> None:
    messy = [
        "\n".join(TD3).lower(),
        "".join(TD3),  # run together
        " ".join(TD3),
        TD3[0][:20] + "\n" + TD3[0][20:] + "\n\n" + TD3[1] + "\r\n",  # broken, blank lines
        "P<UTO ERIKSSON«ANNA<MARIA" + "<" * 19 + "\n" + TD3[1],  # a guillemet for "<<"
    ]
    for text in messy:
        reading = read(text, TODAY)
        assert reading.valid, (text, reading.errors)
        assert reading.lines == TD3


def test_a_failing_check_digit_names_the_field_and_its_place() -> None:
    line = TD3[1][:27] + "4" + TD3[1][28:]
    reading = read(TD3[0] + "\n" + line, TODAY)
    assert not reading.valid
    first = reading.errors[0]
    assert first.message == "expiry check digit: expected 9, found 4"
    assert (first.field, first.line, first.start) == ("expiry_date", 2, 28)
    assert [e.field for e in reading.errors] == ["expiry_date", "composite"]


def test_expiry_and_nationality_are_warnings_not_errors() -> None:
    reading = read("\n".join(MRVA), TODAY)
    assert reading.valid and reading.expired
    messages = [w.message for w in reading.warnings]
    assert "document expired 1996-12-10" in messages
    assert "nationality differs from issuing state" in messages


def test_ocr_confusions_in_digit_fields_are_repaired_and_reported() -> None:
    bad = TD3[1].replace("7408122F1204159", "740BIZZF12041S9")[:-1] + "O"
    reading = read(TD3[0] + "\n" + bad, TODAY)
    assert reading.valid
    assert reading.lines == TD3
    found = {(r.column, r.found, r.used, r.confirmed_by) for r in reading.repairs}
    assert (17, "B", "8", "birth_date") in found
    assert (20, "Z", "2", "birth_date") in found
    assert (27, "S", "5", "expiry_date") in found
    assert (44, "O", "0", "composite") in found


def test_a_repair_no_check_digit_confirms_is_not_made() -> None:
    bad = TD3[1].replace("7408122", "74O8I2S")  # O->0, I->1 and S->5 do not give the date back
    reading = read(TD3[0] + "\n" + bad, TODAY)
    assert not reading.valid
    assert not [r for r in reading.repairs if r.field == "birth_date"]
    assert reading.errors[0].field == "birth_date"
    assert "not a digit at column 16" in reading.errors[0].message


def test_letter_digit_confusions_in_numbers_are_not_guessed() -> None:
    bad = "L89B902C3" + TD3[1][9:]  # the 8 read as B: which position was misread is unknowable
    reading = read(TD3[0] + "\n" + bad, TODAY)
    assert not reading.valid
    assert reading.fields["document_number"] == "L89B902C3"
    assert reading.repairs == []


def test_names_and_codes_say_they_look_repaired() -> None:
    text = "P<UT0ERIK55ON<<ANNA<MAR1A<<<<<<<K<<<<<<<<<<<\n" + TD3[1]
    reading = read(text, TODAY)
    assert reading.valid
    assert reading.fields["surname"] == "ERIKSSON" and reading.fields["given_names"] == "ANNA MARIA"
    assert {r.confirmed_by for r in reading.repairs} == {None}
    assert any(r.found == "K" and r.used == "<" for r in reading.repairs)
    messages = [w.message for w in reading.warnings]
    assert "the name looks repaired (not covered by a check digit)" in messages
    assert "issuing state looks repaired (not covered by a check digit)" in messages


def test_unknown_codes_sex_and_dates_are_errors() -> None:
    line1 = "P<ABCERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    reading = read(line1 + "\n" + TD3[1].replace("F120", "Q120"), TODAY)
    fields = {e.field for e in reading.errors}
    assert {"issuing_state", "sex"} <= fields
    month13 = read("\n".join(TD2).replace("7408122", "7413122"), TODAY)
    assert any(e.message == "birth date '741312' is not a date" for e in month13.errors)


def test_dates_take_the_century_that_fits() -> None:
    reading = read("\n".join(TD1), TODAY)
    assert reading.fields["birth_date"] == "1934-07-12"
    assert reading.fields["expiry_date"] == "1995-07-12"  # 2095 is more than 50 years ahead
    assert reading.expired is True
    ahead = read("\n".join(TD3).replace("1204159", "3001012"), TODAY)
    assert ahead.fields["expiry_date"] == "2030-01-01"
    assert ahead.expired is False


def test_shapes_that_are_no_mrz_are_one_structure_error() -> None:
    for text in ["", "hello", "P<" * 60, TD3[0] + "\n" + TD3[1][:-3], "x" * 5000]:
        reading = read(text, TODAY)
        assert not reading.valid
        assert [e.field for e in reading.errors] == ["structure"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_a_reading_not_an_exception(text: str) -> None:
    reading = read(text, TODAY)
    assert reading.valid is (reading.format is not None and not reading.errors)


def _covered(lines: list[str]) -> list[tuple[int, int]]:
    zone, layouts = fit(lines) or ([], [])
    layout = _layout(zone, layouts)
    cells: set[tuple[int, int]] = set()
    for check in _checks(layout, [list(line) for line in zone], read("\n".join(zone), TODAY)):
        for span in (*check.covers, check.digit):
            cells.update((span.line, c) for c in range(span.start, span.end))
    return sorted(cells)


def _same_value(a: str, b: str) -> bool:
    """Characters a 7-3-1 check digit cannot tell apart: values equal mod 10 (0, A, K, U, <)."""
    return (char_value(a) or 0) % 10 == (char_value(b) or 0) % 10


def test_every_single_corruption_under_a_check_digit_is_detected_or_repaired() -> None:
    """Every character covered by a check digit, replaced by every other one: the reading is
    invalid, or valid with a reported repair that gives the original back; the only
    exceptions are the corruptions no 7-3-1 digit can see (values equal mod 10)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
    for lines in (TD3, TD1, TD2, MRVA):
        for line, column in _covered(lines):
            old = lines[line][column]
            for new in alphabet.replace(old, ""):
                corrupt = list(lines)
                corrupt[line] = lines[line][:column] + new + lines[line][column + 1 :]
                reading = read("\n".join(corrupt), TODAY)
                if reading.errors or _same_value(old, new):
                    continue
                assert reading.repairs, (corrupt, "undetected")
                repaired = "".join(reading.lines)
                original = "".join(lines)
                assert all(_same_value(a, b) for a, b in zip(repaired, original, strict=True)), (
                    corrupt,
                    reading.repairs,
                )


def test_a_digit_as_the_second_character_of_the_document_code_is_the_issuers_choice() -> None:
    card = "C1" + TD1[0][2:]  # a US passport card writes C1
    reading = read("\n".join([card, *TD1[1:]]), TODAY)
    assert reading.valid and reading.repairs == []
    assert reading.fields["document_code"] == "C1"


def test_given_names_without_a_surname_are_valid_with_a_warning() -> None:
    line1 = "I<CHE" + "<<ANNA<MARIA".ljust(25, "<")
    reading = read("\n".join(["I<CHED231458907ABC<<<<<<<<<<<<", "7408122F1204159CHE<<<<<<<<<<<1",
                              line1[5:].ljust(30, "<")]), TODAY)  # fmt: skip
    assert reading.valid
    assert (reading.fields["surname"], reading.fields["given_names"]) == ("", "ANNA MARIA")
    assert "no primary identifier (surname), given names only" in [
        w.message for w in reading.warnings
    ]
