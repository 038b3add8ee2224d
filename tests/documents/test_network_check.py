"""A document check asks every active peer by PSI: a register entry on one node is found by a
check from another, without either register (or the document asked) crossing the wire."""

from __future__ import annotations

import json

import pytest

from csnet.access import Caller
from csnet.correlation import psi, psi_federation, psi_wire
from csnet.correlation.psi import DOCUMENT_REGISTER
from csnet.documents import register
from csnet.documents.check import check
from csnet.documents.entries import NewEntry
from csnet.errors import BadInput
from csnet.federation import peers
from csnet.federation.peers import PeerStatus
from csnet.handling.roles import Role
from csnet.transport import PeerResponse
from tests.factories import add_member
from tests.federation.conftest import Pair
from tests.federation.test_handshake import actions, peer_up
from tests.federation.test_psi_endpoint import hold

STOLEN = "PAK:P:AB1234567"
OTHER = "PAK:P:CD7654321"


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    psi_federation._limiters.clear()  # limits are per process: start each test afresh
    return pair


def officer_of(pair: Pair) -> Caller:
    member, _ = add_member(pair.a, "officer", Role.OFFICER)
    return Caller(member, "case 2026/114")


def recorded(pair: Pair) -> list[bytes]:
    """Every body that crosses the wire from here on, requests and answers."""
    bodies: list[bytes] = []
    send = pair.transport.send

    def keep(method: str, url: str, headers: dict[str, str], body: bytes) -> PeerResponse:
        answer = send(method, url, headers, body)
        bodies.extend([body, answer.body])
        return answer

    pair.transport.send = keep  # type: ignore[method-assign]
    return bodies


def test_a_register_entry_on_b_is_found_by_a_check_on_a_and_no_register_leaves(
    peered: Pair,
) -> None:
    register.add(peered.b, "host:b", NewEntry(STOLEN, "stolen", None, "HCG Piraeus", ""))
    register.add(peered.b, "host:b", NewEntry(OTHER, "lost", None, "HCG Piraeus", ""))
    bodies = recorded(peered)
    checked = check(peered.a, officer_of(peered), "passport AB1234567 PAK").to_json()
    assert checked["register"] == [] and checked["items"] == []  # nothing on A itself
    (answer,) = checked["network"]
    assert answer == {
        "node": peered.b.node_id,
        "name": "GR-HCG",
        "hits": 1,
        "register": True,
        "items": False,  # a register entry never answers a question about items
        "error": None,
    }
    assert checked["found"] and checked["valid"] is None and checked["format"] is None
    wire = b"".join(bodies)
    assert len(bodies) == 4  # two queries, two answers: points only
    for number in (b"AB1234567", b"CD7654321", b"PAK:P"):
        assert number not in wire
    a_psi = [d for _, action, d in actions(peered.a) if d.get("what") == "psi"]
    b_psi = [d for _, action, d in actions(peered.b) if d.get("what") == "psi"]
    assert [d["type"] for d in a_psi] == ["document_register", "document"]
    assert [(d["type"], d["asked"], d["held"]) for d in b_psi] == [
        ("document_register", 1, 2),
        ("document", 1, 0),
    ]


def test_an_item_naming_the_document_on_b_is_a_hit_and_a_miss_is_none(peered: Pair) -> None:
    hold(peered.b, "document", STOLEN)
    caller = officer_of(peered)
    (answer,) = check(peered.a, caller, STOLEN).network or []
    assert (answer.register, answer.items, answer.hits) == (False, True, 1)
    missed = check(peered.a, caller, OTHER)
    assert not missed.found and [a.hits for a in missed.network or []] == [0]


def test_no_network_asks_nobody_and_an_unanswering_peer_is_named(peered: Pair) -> None:
    caller = officer_of(peered)
    bodies = recorded(peered)
    assert check(peered.a, caller, STOLEN, ask_network=False).to_json()["network"] is None
    assert bodies == []
    with peered.b.store.write() as conn:
        peers.set_status(conn, peered.a.node_id, PeerStatus.SUSPENDED, peered.b.now())
    (answer,) = check(peered.a, caller, STOLEN).network or []
    assert answer.error is not None and answer.hits == 0


def test_a_local_register_hit_and_a_zone(peered: Pair) -> None:
    register.add(peered.a, "host:a", NewEntry("UTO:P:L898902C3", "revoked", None, "UTO", ""))
    zone = (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    )
    checked = check(peered.a, officer_of(peered), zone, ask_network=False).to_json()
    assert (checked["valid"], checked["format"], checked["expired"]) == (True, "TD3", True)
    assert checked["document"] == "UTO:P:L898902C3"
    assert [e["status"] for e in checked["register"]] == ["revoked"] and checked["found"]


def test_the_wire_takes_the_register_set_tagged_apart_and_refuses_unknown_sets() -> None:
    point = psi.hash_to_group(psi.type_tag(DOCUMENT_REGISTER), STOLEN)
    assert point != psi.hash_to_group(psi.type_tag("document"), STOLEN)
    body = {"type": DOCUMENT_REGISTER, "points": psi_wire.encode_points([point]),
            "justification": "case 2026/114"}  # fmt: skip
    parsed = psi_federation.parse_request(json.dumps(body).encode(), 10)
    assert parsed.type_name == DOCUMENT_REGISTER
    with pytest.raises(BadInput, match="unknown identifier type"):
        psi_federation.parse_request(json.dumps({**body, "type": "register"}).encode(), 10)


def test_a_zone_without_a_readable_document_asks_nobody(peered: Pair) -> None:
    zone = (
        "P<XYZERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36XYZ7408122F1204159ZE184226B<<<<<10"
    )
    bodies = recorded(peered)
    checked = check(peered.a, officer_of(peered), zone).to_json()
    assert checked["valid"] is False and checked["document"] is None
    assert checked["network"] is None and not checked["found"] and bodies == []
