"""POST /api/v1/documents/check: a thin adapter over the check service, authenticated,
justified, with the project's error body for bad input."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.documents import register
from csnet.documents.entries import NewEntry
from csnet.handling.roles import Role
from csnet.node import Node
from tests.factories import api
from tests.federation.test_handshake import actions
from tests.web.test_hits_api import client

PATH = "/api/v1/documents/check"
JUSTIFIED = {"X-Justification": "case 2026/114"}
ZONE = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"


@pytest.fixture
def officer(node: Node) -> Any:
    return client(node, "officer", Role.OFFICER)


def test_without_a_token_it_is_401(node: Node) -> None:
    answer = api(node).post(PATH, json={"text": "PAK:P:AB1234567"}, headers=JUSTIFIED)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_without_a_justification_it_is_403_and_nothing_is_consulted(
    node: Node, officer: Any
) -> None:
    answer = officer.post(PATH, json={"text": "PAK:P:AB1234567"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "justification_required"
    assert not [a for a in actions(node) if a[1] == "consultation"]


def test_a_node_administrator_may_not_check(node: Node) -> None:
    admin = client(node, "admin", Role.ADMIN)
    answer = admin.post(PATH, json={"text": "PAK:P:AB1234567"}, headers=JUSTIFIED)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "role_denied"
    assert not [a for a in actions(node) if a[1] == "consultation"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "not a document at all"}, "invalid_identifier"),
        ({"text": "XYZ:P:AB1234567"}, "invalid_identifier"),
        ({"text": ""}, "invalid_input"),
        ({"text": "PAK:P:AB1234567", "extra": 1}, "invalid_input"),
        ({"text": "PAK:P:AB1234567", "network": "maybe"}, "invalid_input"),
    ],
)
def test_bad_input_is_422_with_the_error_body(officer: Any, body: Any, code: str) -> None:
    answer = officer.post(PATH, json=body, headers=JUSTIFIED)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == code and error["message"] and isinstance(error["details"], dict)


def test_a_zone_and_its_register_entry(node: Node, officer: Any) -> None:
    register.add(node, "host:test", NewEntry("UTO:P:L898902C3", "stolen", None, "UTO", ""))
    answer = officer.post(PATH, json={"text": ZONE, "network": False}, headers=JUSTIFIED)
    assert answer.status_code == 200, answer.text
    checked = answer.json()
    assert set(checked) == {
        "valid", "format", "expired", "document", "fields", "errors", "warnings", "repairs",
        "register", "items", "network", "found",
    }  # fmt: skip
    assert (checked["valid"], checked["format"], checked["network"]) == (True, "TD3", None)
    assert checked["fields"]["document_number"] == "L898902C3"
    assert [e["status"] for e in checked["register"]] == ["stolen"] and checked["found"]
    consulted = [d for _, action, d in actions(node) if action == "consultation"]
    assert consulted and consulted[-1]["what"] == "document register"
