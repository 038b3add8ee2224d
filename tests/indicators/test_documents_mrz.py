"""Travel documents as identifiers, as an MRZ sees them (issue 15, part 2)."""

from __future__ import annotations

import pytest

from csnet.indicators import registry
from csnet.indicators.base import Hint, InvalidIdentifier
from csnet.indicators.extract import extract

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = (
    "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
)


def _documents(text: str) -> list[str]:
    return [f.indicator.value for f in extract(text, Hint(country="GR")).found
            if f.indicator.type == "document"]  # fmt: skip


def test_a_passport_number_copied_with_its_check_digit_is_stored_without_it() -> None:
    assert _documents("passport L898902C36 (UTO)") == ["UTO:P:L898902C3"]
    assert registry.parse("document", "UTO:P:L898902C36").value == "UTO:P:L898902C3"
    assert registry.parse("document", "UTO:P:L898902C3").value == "UTO:P:L898902C3"


def test_a_tenth_character_that_is_no_check_digit_is_kept() -> None:
    assert registry.parse("document", "UTO:P:L898902C37").value == "UTO:P:L898902C37"
    # why: identity card numbers may be longer than nine characters; nothing is dropped there
    assert registry.parse("document", "UTO:I:L898902C36").value == "UTO:I:L898902C36"


@pytest.mark.parametrize("state", ["D", "DEU", "DE", "deu"])
def test_germany_is_d_whichever_code_is_written(state: str) -> None:
    assert registry.parse("document", f"{state}:P:C01X0006H").value == "D:P:C01X0006H"


@pytest.mark.parametrize(
    "label",
    ["Reisepass", "passeport", "pasaporte", "پاسپورٹ", "جواز سفر", "گذرنامه", "διαβατήριο",
     "pasaport", "passport"],
)  # fmt: skip
def test_passport_labels_in_the_languages_of_the_network(label: str) -> None:
    assert _documents(f"{label} AB1234567 (PAK)") == ["PAK:P:AB1234567"]


def test_a_one_letter_state_after_the_number() -> None:
    assert _documents("Reisepass C01X0006H (D) vorgelegt") == ["D:P:C01X0006H"]


def test_a_pasted_zone_is_found_as_its_document_with_the_holder() -> None:
    text = f"Checked at gate 4:\n{TD3}\nreferred to the duty officer"
    found = extract(text, Hint(country="IT")).found
    assert [f.indicator.value for f in found] == ["UTO:P:L898902C3"]
    details = found[0].indicator.details
    assert details["surname"] == "ERIKSSON" and details["given_names"] == "ANNA MARIA"
    assert details["birth_date"] == "1974-08-12" and details["nationality"] == "UTO"
    assert details["mrz"] == "valid" and details["mrz_format"] == "TD3"
    assert found[0].text == TD3  # the span is the zone, not a number inside it


def test_a_three_line_zone_with_a_long_number() -> None:
    found = extract(f"ID card seen:\n{TD1}\n", Hint()).found
    assert [f.indicator.value for f in found] == ["UTO:I:D23145890734"]
    assert found[0].indicator.details["surname"] == "STEVENSON"


def test_a_zone_whose_check_digit_fails_is_still_the_document_and_says_so() -> None:
    broken = TD3.replace("1204159", "1204154")
    found = extract(broken, Hint()).found
    assert found[0].indicator.value == "UTO:P:L898902C3"
    assert found[0].indicator.details["mrz"] == "invalid: expiry check digit: expected 9, found 4"


def test_a_zone_with_an_unknown_state_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidIdentifier, match="issuing state 'ABC'"):
        registry.parse("document", TD3.replace("P<UTO", "P<ABC"))
    result = extract(TD3.replace("P<UTO", "P<ABC"), Hint())
    assert result.found == []
    assert result.rejected[0].type == "document"


def test_text_without_a_zone_finds_none() -> None:
    assert _documents("The boat left at 04:00 <<urgent>> from the beach") == []
