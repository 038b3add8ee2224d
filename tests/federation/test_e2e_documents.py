"""A fraud report filed on node A, and a register entry on A, are found by a document check on
node B: two real `csnet serve` processes, peered over HTTP; B learns hit or no-hit by PSI and
never receives A's report or register (issue 15, "Done when")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from csnet.cli.demo_network import node_id_of, opened
from csnet.documents import register
from csnet.documents.entries import NewEntry
from csnet.handling.roles import Role
from tests.factories import add_member, token_for
from tests.federation.processes import Served
from tests.items.test_document_bodies import fraud_body

pytestmark = pytest.mark.e2e

ZONE = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
STOLEN = "PAK:P:AB1234567"


def _api(served: Served, token: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}", "X-Justification": "case 2026/114"}
    return httpx.Client(base_url=served.endpoint.url + "/api/v1", headers=headers, timeout=60)


def _officer(served: Served) -> str:
    with opened(served.endpoint) as node:
        member, _secret = add_member(node, "border-officer", Role.OFFICER)
        return token_for(node, member)


def _answer_of(checked: dict[str, Any], node_id: str) -> dict[str, Any]:
    (answer,) = [a for a in checked["network"] if a["node"] == node_id]
    return answer


def test_a_report_and_a_register_entry_on_a_are_found_by_a_check_on_b(
    two_nodes: Callable[..., tuple[Served, Served, str]],
) -> None:
    a, b, a_token = two_nodes()
    a_id = node_id_of(a.endpoint)
    with _api(a, a_token) as a_api:
        report = {"body": fraud_body(), "markings": {"tlp": "TLP:AMBER"}}  # kept on A
        assert a_api.post("/documents/fraud-reports", json=report).status_code == 201
    with opened(a.endpoint) as node:
        register.add(node, "host:a", NewEntry(STOLEN, "stolen", None, "FIA Karachi", ""))

    with _api(b, _officer(b)) as b_api:
        zone = b_api.post("/documents/check", json={"text": ZONE, "network": True}).json()
        number = b_api.post("/documents/check", json={"text": STOLEN, "network": True}).json()
        assert b_api.get("/documents/fraud-reports").json()["items"] == []  # nothing sent to B

    assert zone["valid"] is True and zone["document"] == "UTO:P:L898902C3"
    assert zone["register"] == [] and zone["items"] == []  # B holds nothing itself
    assert _answer_of(zone, a_id) | {"name": ""} == {
        "node": a_id, "name": "", "hits": 1, "register": False, "items": True, "error": None,
    }  # fmt: skip
    stolen = _answer_of(number, a_id)
    assert (stolen["register"], stolen["items"]) == (True, False)
