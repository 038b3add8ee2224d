"""The register service: entries added once, looked up exactly, every change and consultation
audited (with the justification for a consultation), and the rules of one entry."""

from __future__ import annotations

from datetime import date

import pytest

from csnet.documents import register
from csnet.documents.entries import (
    NewEntry,
    document_from_text,
    document_of,
    new_entry,
    reported_of,
    status_of,
)
from csnet.errors import BadInput, Conflict, Forbidden, NotFound
from csnet.node import Node
from tests.federation.test_handshake import actions

TODAY = date(2026, 12, 8)
STOLEN = NewEntry("PAK:P:AB1234567", "stolen", date(2026, 11, 30), "FIA Lahore", "from a car")


def test_add_then_lookup_finds_the_entry_and_audits_the_reason(node: Node) -> None:
    added = register.add(node, "host:test", STOLEN)
    assert (added.document, added.status, added.added_by) == (
        STOLEN.document,
        "stolen",
        "host:test",
    )
    found = register.lookup(node, "member:m1", "PAK:P:AB1234567", "case 2026/114")
    assert [e.id for e in found] == [added.id]
    assert register.lookup(node, "member:m1", "PAK:P:AB7654321", "case 2026/114") == []
    logged = [a for a in actions(node) if a[2].get("what") == "document register"]
    assert [(actor, action) for actor, action, _ in logged] == [
        ("host:test", "collection"),
        ("member:m1", "consultation"),
        ("member:m1", "consultation"),
    ]
    assert logged[1][2]["entries"] == [added.id] and logged[2][2]["entries"] == []
    assert all("AB1234567" not in str(details) for _, _, details in logged)


def test_a_lookup_without_justification_is_refused_and_logs_nothing(node: Node) -> None:
    register.add(node, "host:test", STOLEN)
    before = len(actions(node))
    for missing in (None, "  "):
        with pytest.raises(Forbidden) as refused:
            register.lookup(node, "member:m1", STOLEN.document, missing)
        assert refused.value.error_code == "justification_required"
        with pytest.raises(Forbidden):
            register.entries(node, "host:test", missing)
    assert len(actions(node)) == before


def test_a_duplicate_is_refused_and_stores_nothing(node: Node) -> None:
    register.add(node, "host:test", STOLEN)
    with pytest.raises(Conflict):
        register.add(node, "host:test", STOLEN)
    listed, total = register.entries(node, "host:test", "audit of the register")
    assert total == 1 and [e.document for e in listed] == [STOLEN.document]
    collections = [a for a in actions(node) if a[1] == "collection"]
    assert len(collections) == 1


def test_remove_needs_a_reason_and_is_audited(node: Node) -> None:
    added = register.add(node, "host:test", STOLEN)
    with pytest.raises(BadInput):
        register.remove(node, "host:test", STOLEN.document, " ")
    removed = register.remove(node, "host:test", STOLEN.document, "found again")
    assert removed.id == added.id
    assert register.lookup(node, "host:test", STOLEN.document, "check") == []
    with pytest.raises(NotFound):
        register.remove(node, "host:test", STOLEN.document, "again")
    erased = [d for _, action, d in actions(node) if action == "erasure"]
    assert erased == [{"what": "document register", "entry": added.id, "reason": "found again"}]


def test_listing_filters_by_status(node: Node) -> None:
    register.add(node, "host:test", STOLEN)
    register.add(node, "host:test", NewEntry("GRC:I:X1234567", "lost", None, "HCG", ""))
    listed, total = register.entries(node, "host:test", "review", "lost")
    assert total == 1 and [e.document for e in listed] == ["GRC:I:X1234567"]


def test_documents_are_canonical_and_check_digits_are_held() -> None:
    assert document_of("pak", "passport", "ab 123 4567") == "PAK:P:AB1234567"
    assert document_of("DEU", "P", "C01X00T47") == "D:P:C01X00T47"
    assert document_of("UTO", "P", "L898902C3", "6") == "UTO:P:L898902C3"
    assert document_from_text("UTO P L898902C36") == "UTO:P:L898902C3"  # its digit, dropped
    with pytest.raises(BadInput, match="bad check digit"):
        document_of("UTO", "P", "L898902C3", "7")
    with pytest.raises(BadInput, match="bad check digit"):
        document_of("UTO", "P", "L898902C37")  # a tenth character, not the check digit
    with pytest.raises(BadInput, match="issuing state"):
        document_of("XYZ", "P", "AB1234567")
    assert document_of("FRA", "I", "X4RTBPFW4A") == "FRA:I:X4RTBPFW4A"  # ID cards run longer


def test_entry_fields_are_checked() -> None:
    assert status_of("Stolen Blank") == "stolen_blank"
    with pytest.raises(BadInput, match="status"):
        status_of("missing")
    assert reported_of("2026-11-30", TODAY) == date(2026, 11, 30)
    assert reported_of("", TODAY) is None
    for wrong in ("30/11/2026", "2027-01-01"):
        with pytest.raises(BadInput, match="reported"):
            reported_of(wrong, TODAY)
    with pytest.raises(BadInput, match="authority"):
        new_entry(STOLEN.document, "lost", "", " ", "", TODAY)
