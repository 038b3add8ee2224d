"""CSV import into the register: header spellings, BOM and delimiters, refused rows with their
line and reason, duplicates within the file and against the register, unknown columns named,
chunks stored apart, and a file of 10,000 rows."""

from __future__ import annotations

from datetime import date

import pytest

from csnet.documents import csv_import, register
from csnet.documents.entries import NewEntry
from csnet.errors import BadInput, CsnetError
from csnet.node import Node
from tests.federation.test_handshake import actions

TODAY = date(2026, 12, 8)
MESSY = (
    "\ufeffIssuing State; Document-Type ;DOC NO;Check Digit;Status;Date Reported;"
    "Agency;Remarks;Colour\n"
    "PAK;P;AB1234567;;stolen;2026-11-30;FIA Lahore;from a car;red\n"
    "GRC;passport;AE 0123456;;Lost;;HCG;;\n"
    "XYZ;P;AB7654321;;stolen;;FIA;;\n"
    "UTO;P;L898902C3;7;stolen;;FIA;;\n"
    "PAK;P;AB1234567;;revoked;;FIA;again;\n"
    "\n"
    "PAK;P;CD1234567;;misplaced;;FIA;;\n"
    "PAK;P;EF1234567;;stolen;30/11/2026;FIA;;\n"
    "PAK;P;GH1234567;;stolen;;;;\n"
)


def test_messy_headers_bom_and_semicolons_with_every_refusal_named() -> None:
    parsed = csv_import.parse(MESSY, TODAY)
    assert [(line, e.document) for line, e in parsed.entries] == [
        (2, "PAK:P:AB1234567"),
        (3, "GRC:P:AE0123456"),
    ]
    assert parsed.entries[0][1] == NewEntry(
        "PAK:P:AB1234567", "stolen", date(2026, 11, 30), "FIA Lahore", "from a car"
    )
    reasons = {r.line: r.reason for r in parsed.refused}
    assert sorted(reasons) == [4, 5, 8, 9, 10]
    assert "issuing state" in reasons[4]
    assert "bad check digit" in reasons[5]
    assert "status" in reasons[8]
    assert "YYYY-MM-DD" in reasons[9]
    assert "authority" in reasons[10]
    assert [(d.line, d.document, d.first_line) for d in parsed.duplicates] == [
        (6, "PAK:P:AB1234567", 2)
    ]
    assert parsed.unknown_columns == ["Colour"]


def test_a_default_authority_fills_rows_without_one() -> None:
    parsed = csv_import.parse("state,type,number,status\nPAK,P,GH1234567,stolen\n", TODAY, "FIA")
    assert parsed.entries[0][1].authority == "FIA" and not parsed.refused


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("state,type,number\nPAK,P,AB1234567\n", "status"),
        ("state,country,type,number,status\n", "two columns"),
    ],
)
def test_an_unusable_header_refuses_the_file(text: str, reason: str) -> None:
    with pytest.raises(BadInput, match=reason):
        csv_import.parse(text, TODAY)


def test_a_row_longer_than_the_header_is_refused_and_a_quoted_field_keeps_lines() -> None:
    text = (
        "state,type,number,status,authority,note\n"
        'PAK,P,AB1234567,stolen,FIA,"two\nlines"\n'
        "PAK,P,CD1234567,stolen,FIA,,extra\n"
    )
    parsed = csv_import.parse(text, TODAY)
    assert parsed.entries[0][1].note == "two lines"
    assert [(r.line, "fields" in r.reason) for r in parsed.refused] == [(4, True)]


def test_not_utf8_is_refused() -> None:
    with pytest.raises(BadInput, match="UTF-8"):
        csv_import.decode(b"state\xff")


def test_duplicates_against_the_register_are_reported_not_stored_twice(node: Node) -> None:
    register.add(node, "host:test", NewEntry("PAK:P:AB1234567", "stolen", None, "FIA", ""))
    report = csv_import.import_parsed(node, "host:test", csv_import.parse(MESSY, TODAY))
    assert report.imported == 1
    assert report.to_json()["duplicates"] == [
        {"line": 2, "document": "PAK:P:AB1234567", "first_line": None},
        {"line": 6, "document": "PAK:P:AB1234567", "first_line": 2},
    ]
    (stored,) = register.lookup(node, "host:test", "PAK:P:AB1234567", "import check")
    assert stored.status == "stolen" and stored.authority == "FIA"  # the old entry stands


def ten_thousand() -> str:
    rows = (f"PAK,P,ZZ{n:07d},stolen,2026-11-{1 + n % 28:02d},FIA,\n" for n in range(10_000))
    return "state,type,number,status,reported,authority,note\n" + "".join(rows)


def test_ten_thousand_rows_in_chunks_each_audited(node: Node) -> None:
    done: list[int] = []
    report = csv_import.import_parsed(
        node, "host:test", csv_import.parse(ten_thousand(), TODAY), done.append
    )
    assert report.imported == 10_000 and sum(done) == 10_000 and report.stopped is None
    assert len(done) == 10_000 // csv_import.CHUNK
    imports = [d for _, action, d in actions(node) if d.get("imported")]
    assert [d["lines"] for d in imports][:2] == [[2, 1001], [1002, 2001]]
    _, total = register.entries(node, "host:test", "count after import")
    assert total == 10_000
    again = csv_import.import_parsed(node, "host:test", csv_import.parse(ten_thousand(), TODAY))
    assert again.imported == 0 and len(again.parsed.duplicates) == 10_000


def test_a_failed_chunk_stops_the_import_and_keeps_the_earlier_ones(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_chunk = register.add_chunk
    calls: list[int] = []

    def second_fails(*args: object) -> tuple[int, list[tuple[int, NewEntry]]]:
        calls.append(1)
        if len(calls) == 2:
            raise CsnetError("disk full", code="conflict")
        return store_chunk(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(register, "add_chunk", second_fails)
    rows = "".join(f"PAK,P,YY{n:07d},lost,,FIA,\n" for n in range(2_500))
    text = "state,type,number,status,reported,authority,note\n" + rows
    report = csv_import.import_parsed(node, "host:test", csv_import.parse(text, TODAY))
    assert report.imported == csv_import.CHUNK
    assert report.to_json()["stopped"] == {"line": 1002, "reason": "chunk not stored: disk full"}
    _, total = register.entries(node, "host:test", "count after a failed import")
    assert total == csv_import.CHUNK
