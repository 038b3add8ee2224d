"""IBANs, travel documents, vessels (IMO, MMSI) and vehicle plates."""

from __future__ import annotations

import pytest

from csnet.indicators import registry
from csnet.indicators.base import Hint, InvalidIdentifier
from csnet.indicators.types.mid import MID_COUNTRY
from csnet.indicators.types.vessels import imo_check_digit


def _iban(country: str, bban: str) -> str:
    """An IBAN with correct ISO 7064 check digits around any BBAN (to test national checks)."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@pytest.mark.parametrize(
    ("text", "value", "country"),
    [  # The examples of the SWIFT IBAN registry and the national banks.
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "GB"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE"),
        ("IBAN: GR16 0110 1250 0000 0001 2300 695", "GR1601101250000000012300695", "GR"),
        ("fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606", "FR"),
        ("IT60-X054-2811-1010-0000-0123-456", "IT60X0542811101000000123456", "IT"),
        ("TR33 0006 1005 1978 6457 8413 26", "TR330006100519786457841326", "TR"),
        ("PK36 SCBL 0000 0011 2345 6702", "PK36SCBL0000001123456702", "PK"),
        ("LY83 0020 4800 0020 1001 2036 1", "LY83002048000020100120361", "LY"),
        ("BE68 5390 0754 7034", "BE68539007547034", "BE"),
    ],
)
def test_ibans(text: str, value: str, country: str) -> None:
    indicator = registry.parse("iban", text)
    assert indicator.value == value
    assert indicator.details["country"] == country
    assert indicator.display.replace(" ", "") == value
    assert indicator.specificity == 1.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("GB82WEST12345698765433", "IBAN check digits do not match (ISO 7064 mod 97-10)"),
        ("GB82WEST1234569876543", "IBAN length is wrong for its country"),
        ("XX82WEST12345698765432", "IBAN country code is not a country that uses IBANs"),
        (_iban("BE", "539007547035"), "national check digits do not match"),
    ],
)
def test_iban_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("iban", text)
    assert reason in caught.value.message


def test_unverifiable_national_check_digits_are_said_not_hidden() -> None:
    indicator = registry.parse("iban", "AL47 2121 1009 0000 0002 3569 8741")
    assert indicator.details["national_check"] == "unverified"


@pytest.mark.parametrize(
    ("text", "hint", "value"),
    [
        ("GRC:P:AB1234567", None, "GRC:P:AB1234567"),
        ("pak passport ab1234567", None, "PAK:P:AB1234567"),
        ("P<:L898902C3<", "UTO", "UTO:P:L898902C3"),
        ("DEU/I/T22000129", None, "D:I:T22000129"),
        ("D:P:C01X00T47", None, "D:P:C01X00T47"),
        ("XXA:P:0123456", None, "XXA:P:0123456"),
        ("AF:P:P01234567", None, "AFG:P:P01234567"),
        ("PD:AB12-3456", "SY", "SYR:PD:AB123456"),
        ("IRQ:visa:A1234567", None, "IRQ:V:A1234567"),
    ],
)
def test_travel_documents(text: str, hint: str | None, value: str) -> None:
    indicator = registry.parse("document", text, Hint(country=hint))
    assert indicator.value == value
    assert indicator.details["state"] == value.split(":", maxsplit=1)[0]


def test_specimen_documents_link_nothing() -> None:
    assert registry.parse("document", "UTO:P:L898902C3").specificity == 0.0
    assert registry.parse("document", "GRC:P:AB1234567").specificity == 1.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("XYZ:P:123456", "issuing state 'XYZ' is not an ICAO or ISO 3166 country code"),
        ("GRC:Q:AB123456", "document type 'Q' is not an ICAO code"),
        ("GRC:P:AB1", "document number 'AB1' is not 4–20 letters and digits"),
        ("GRC:P:AB12345$", "is not 4–20 letters and digits"),
        ("AB1234567", "issuing state, document type and number"),
    ],
)
def test_document_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("document", text)
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("text", "value", "details"),
    [
        ("IMO 9074729", "imo:9074729", {"kind": "imo"}),
        ("imo9074729", "imo:9074729", {"kind": "imo"}),
        ("9074729", "imo:9074729", {"kind": "imo"}),
        ("IMO 9321483", "imo:9321483", {"kind": "imo"}),
        ("MMSI 237 123 456", "mmsi:237123456", {"kind": "ship", "mid": "237", "country": "GR"}),
        ("247123456", "mmsi:247123456", {"kind": "ship", "mid": "247", "country": "IT"}),
        ("642123456", "mmsi:642123456", {"kind": "ship", "mid": "642", "country": "LY"}),
        ("271123456", "mmsi:271123456", {"kind": "ship", "mid": "271", "country": "TR"}),
        ("463123456", "mmsi:463123456", {"kind": "ship", "mid": "463", "country": "PK"}),
        ("422123456", "mmsi:422123456", {"kind": "ship", "mid": "422", "country": "IR"}),
        ("667123456", "mmsi:667123456", {"kind": "ship", "mid": "667", "country": "SL"}),
        ("002371000", "mmsi:002371000", {"kind": "coast", "mid": "237", "country": "GR"}),
        ("024712345", "mmsi:024712345", {"kind": "group", "mid": "247", "country": "IT"}),
        ("111247100", "mmsi:111247100", {"kind": "sar_aircraft", "mid": "247", "country": "IT"}),
        (
            "992471234",
            "mmsi:992471234",
            {"kind": "aid_to_navigation", "mid": "247", "country": "IT"},
        ),
        ("970123456", "mmsi:970123456", {"kind": "sart"}),
    ],
)
def test_vessels(text: str, value: str, details: dict[str, str]) -> None:
    indicator = registry.parse("vessel", text)
    assert indicator.value == value
    assert dict(indicator.details) == details


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("IMO 9074723", "IMO check digit is 3, expected 9"),
        ("IMO 9321480", "IMO check digit is 0, expected 3"),
        ("217123456", "MID 217, which ITU has not allocated"),
        ("12345678", "8 digits, expected 7 (IMO) or 9 (MMSI)"),
        ("IMO 123456789", "9 digits, expected 7"),
        ("MMSI 9074729", "7 digits, expected 9"),
        ("IMO 90747A9", "digits only"),
    ],
)
def test_vessel_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("vessel", text)
    assert reason in caught.value.message


def test_vessel_specificity() -> None:
    vessel = registry.get("vessel")
    assert vessel.specificity("imo:9074729") == 1.0
    assert vessel.specificity("mmsi:237123456") == 0.9
    assert vessel.specificity("mmsi:972123456") == 0.3


def test_imo_check_digit_weights() -> None:
    assert imo_check_digit("907472") == 9  # 9·7 + 0·6 + 7·5 + 4·4 + 7·3 + 2·2 = 139


@pytest.mark.parametrize(
    ("mid", "country"),
    [
        ("201", "AL"),
        ("237", "GR"),
        ("262", "ME"),
        ("279", "RS"),
        ("254", "MC"),
        ("255", "PT"),
        ("461", "OM"),
        ("463", "PK"),
        ("548", "PH"),
        ("642", "LY"),
        ("622", "EG"),
        ("672", "TN"),
        ("605", "DZ"),
        ("401", "AF"),
        ("422", "IR"),
        ("403", "SA"),
        ("470", "AE"),
        ("419", "IN"),
        ("405", "BD"),
        ("636", "LR"),
        ("538", "MH"),
        ("351", "PA"),
        ("775", "VE"),
    ],
)
def test_mid_table(mid: str, country: str) -> None:
    assert MID_COUNTRY[mid] == country


def test_mid_table_covers_the_itu_allocation() -> None:
    assert len(MID_COUNTRY) == 292  # every MID in the ITU table, none twice
    assert all(len(code) == 2 and code.isupper() for code in MID_COUNTRY.values())
    assert all(201 <= int(mid) <= 775 for mid in MID_COUNTRY)


@pytest.mark.parametrize(
    ("text", "hint", "value"),
    [
        ("GR:ΙΚΑ-1234", None, "GR:IKA1234"),  # Greek letters typed on a Greek keyboard
        ("GR:IKA 1234", None, "GR:IKA1234"),
        ("PAK LEA-1234", None, "PK:LEA1234"),
        ("lea 1234", "PK", "PK:LEA1234"),
        ("BG:СА 1234 ВХ", None, "BG:CA1234BX"),  # Cyrillic look-alikes
        ("DEU:B·MW 1234", None, "DE:BMW1234"),
        ("ir:۱۲ب۳۴۵", None, "IR:12ب345"),  # Persian digits, Arabic-script letter kept
    ],
)
def test_plates(text: str, hint: str | None, value: str) -> None:
    indicator = registry.parse("plate", text, Hint(country=hint))
    assert indicator.value == value
    assert indicator.details == {"country": value.split(":", maxsplit=1)[0]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ABC123", "needs its country"),
        ("ZZ:ABC123", "plate country 'ZZ' is not an ISO 3166 country code"),
        ("GR:A", "plate 'A' is not 2–12 letters and digits"),
        ("GR:AB$123", "is not 2–12 letters and digits"),
    ],
)
def test_plate_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        registry.parse("plate", text)
    assert reason in caught.value.message
