"""MRZ reading against the ICAO specimens and the collected vectors (tests/mrz/vectors)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from csnet.mrz import check_digit, read

VECTORS = Path(__file__).parent / "vectors"
TODAY = date(2026, 12, 8)


def _load(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((VECTORS / name).read_text("utf-8"))
    return data


@pytest.mark.parametrize("vector", _load("mrz_check_digit_vectors.json"), ids=lambda v: v["input"])
def test_check_digit_vectors(vector: dict[str, Any]) -> None:
    assert check_digit(vector["input"]) == (vector["expected"] or None)


@pytest.mark.parametrize("vector", _load("mrz_vectors.json"), ids=lambda v: v["id"])
def test_vector_verdict_and_fields(vector: dict[str, Any]) -> None:
    reading = read("\n".join(vector["lines"]), TODAY)
    # why: the vectors' verdict is before any repair; ours holds after the reported ones
    assert (reading.valid and not reading.repairs) is vector["valid"]
    if vector["format"] is None:
        assert reading.format is None and reading.errors[0].field == "structure"
        return
    assert reading.format == vector["format"].replace("MRVA", "MRV-A")
    if not vector["valid"] and reading.repairs:  # OCR confusions: repaired and reported
        assert reading.valid
        assert all(r.confirmed_by or r.field in ("names", "issuing_state", "nationality")
                   for r in reading.repairs)  # fmt: skip
        return
    expected = vector["fields"]
    for name in ("document_number", "issuing_state", "nationality", "surname", "given_names",
                 "sex", "personal_number"):  # fmt: skip
        if name in expected:
            assert reading.fields[name] == expected[name], name


def test_vectors_cover_every_format_and_both_verdicts() -> None:
    vectors = _load("mrz_vectors.json")
    assert {v["format"] for v in vectors} >= {"TD1", "TD2", "TD3", "MRVA", None}
    assert {v["valid"] for v in vectors} == {True, False}


SPECIMENS = [
    (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        "TD3",
        {"document_number": "L898902C3", "document_number_check_digit": "6",
         "birth_date": "1974-08-12", "expiry_date": "2012-04-15", "sex": "F",
         "personal_number": "ZE184226B", "surname": "ERIKSSON", "given_names": "ANNA MARIA"},
    ),
    (
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        "TD1",
        {"document_number": "D23145890", "document_number_check_digit": "7",
         "birth_date": "1974-08-12", "expiry_date": "2012-04-15"},
    ),
    (
        "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<",
        "TD1",
        {"document_number": "D23145890734", "document_number_check_digit": "9",
         "birth_date": "1934-07-12", "sex": "M", "surname": "STEVENSON",
         "given_names": "PETER JOHN"},
    ),
    (
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
        "TD2",
        {"document_number": "D23145890", "nationality": "UTO"},
    ),
    (
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
        "MRV-A",
        {"document_number": "L8988901C", "nationality": "XXX", "birth_date": "1940-09-07",
         "expiry_date": "1996-12-10", "nationality_name": "nationality unspecified"},
    ),
    (
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
        "MRV-B",
        {"document_number": "L8988901C", "document_type": "visa"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "layout", "fields"), SPECIMENS, ids=[s[1] for s in SPECIMENS])
def test_icao_specimens(text: str, layout: str, fields: dict[str, str]) -> None:
    reading = read(text, TODAY)
    assert reading.valid, reading.errors
    assert reading.format == layout
    assert reading.repairs == []
    for name, value in fields.items():
        assert reading.fields[name] == value, name
    assert reading.expired is True
    assert any(w.message.startswith("document expired ") for w in reading.warnings)
