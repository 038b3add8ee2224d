"""Disclosure requests end to end between two nodes: A asks, B (the holder) decides, and the
answer comes back to A with B's markings; refusals, audit on both sides, forged answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from csnet.access import Caller
from csnet.alerts import actions
from csnet.audit.query import AuditFilter, list_entries
from csnet.correlation import disclosure_ops, disclosures
from csnet.errors import BadInput, Conflict, CsnetError, Forbidden, NotFound
from csnet.federation import inbox, peers
from csnet.federation.delivery import Delivery
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.grading import AdmiraltyGrade
from csnet.handling.markings import TLP, Markings, Releasability
from csnet.handling.roles import Role
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store import item_store
from tests.factories import add_member, alert_body, api, token_for
from tests.federation.conftest import Pair
from tests.federation.test_handshake import peer_up
from tests.web.test_live import parse_sse, read_stream

PHONE = "+92 300 1234567"
CANONICAL = "+923001234567"
SUSPECT = [{"name": "Tariq A.", "category": "suspect"}]
HELD_MARKINGS = Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,))
GRADE = AdmiraltyGrade(source="B", information="2")


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def caller(node: Node, role: Role, name: str = "") -> Caller:
    member, _ = add_member(node, f"{name or role.value[:8]}{node.identity.name.lower()[:2]}", role)
    return Caller(member)


def hold(node: Node, markings: Markings = HELD_MARKINGS, text: str = f"Broker on {PHONE}") -> str:
    """An alert kept on `node` only, naming a suspect and holding the phone number."""
    body = alert_body(text=text, persons=SUSPECT)
    return publish(
        node, caller(node, Role.OFFICER, "keeper"), NewItem("alert", body, markings, GRADE)
    ).id


def ask(pair: Pair) -> Envelope:
    """A opens a request to B and B receives it."""
    env = disclosure_ops.open_request(
        pair.a, caller(pair.a, Role.ANALYST), pair.b.node_id, "phone", PHONE, "PSI hit, case 7"
    )
    assert Delivery(pair.a).flush(pair.b.node_id) == 1
    return env


def state(node: Node, request_id: str) -> disclosures.Request:
    with node.store.read() as conn:
        found = disclosures.get(conn, request_id)
    assert found is not None
    return found


def audit(node: Node, **filters: Any) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter(**filters), limit=500)


def test_approval_reaches_the_asker_with_the_holders_markings(peered: Pair) -> None:
    a, b = peered.a, peered.b
    held = hold(b)
    request = ask(peered)
    at_b = state(b, request.id)
    assert (at_b.status, at_b.asker, at_b.holder) == ("pending", a.node_id, b.node_id)
    assert (at_b.value_type, at_b.value) == ("phone", CANONICAL)
    assert (
        at_b.direction(b.node_id) == "incoming"
        and state(a, request.id).direction(a.node_id) == "outgoing"
    )
    boss = caller(b, Role.SUPERVISOR)
    answer = disclosure_ops.approve(b, boss, request.id, "Prosecutor agreed")
    assert Delivery(b).flush(a.node_id) == 1
    at_a = state(a, request.id)
    assert (at_a.status, at_a.disclosure_id, at_a.reason) == (
        "approved",
        answer.id,
        "Prosecutor agreed",
    )
    assert at_a.decided_by == boss.member.id and state(b, request.id).status == "approved"
    with a.store.read() as conn:
        got = item_store.get_item(conn, answer.id)
    assert got is not None
    env = got.envelope
    assert env.markings == HELD_MARKINGS and env.grading == GRADE and env.refers_to == request.id
    assert env.body["item"] == held and env.body["persons"] == SUSPECT
    assert env.body["text"] == f"Broker on {PHONE}"


def test_audit_on_both_sides(peered: Pair) -> None:
    a, b = peered.a, peered.b
    held = hold(b)
    request = ask(peered)
    answer = disclosure_ops.approve(b, caller(b, Role.SUPERVISOR), request.id, "Agreed")
    Delivery(b).flush(a.node_id)
    (opened,) = audit(a, item_id=request.id, action="collection")
    assert opened["action"] == "collection" and opened["justification"] == "PSI hit, case 7"
    assert [e["actor"] for e in audit(a, item_id=answer.id)] == [f"peer:{b.node_id}"]
    assert [e["actor"] for e in audit(b, item_id=request.id)] == [f"peer:{a.node_id}"]
    (released,) = audit(b, item_id=held, action="disclosure")
    assert released["justification"] == "Agreed" and released["recipients"] == [f"node:{a.node_id}"]
    assert released["details"]["request"] == request.id


def test_decline_with_reason(peered: Pair) -> None:
    a, b = peered.a, peered.b
    request = ask(peered)
    answer = disclosure_ops.decline(b, caller(b, Role.SUPERVISOR), request.id, "Ongoing operation")
    Delivery(b).flush(a.node_id)
    at_a = state(a, request.id)
    assert (at_a.status, at_a.reason, at_a.disclosure_id) == (
        "declined",
        "Ongoing operation",
        answer.id,
    )
    assert answer.markings == Markings(tlp=TLP.AMBER) and answer.body == {
        "decision": "declined",
        "reason": "Ongoing operation",
    }
    (entry,) = audit(b, item_id=request.id, action="consultation")
    assert entry["justification"] == "Ongoing operation"


def refused(exc: type[CsnetError], code: str, call: Any, *args: Any) -> None:
    with pytest.raises(exc) as info:
        call(*args)
    assert info.value.error_code == code, info.value.message


def test_refusals(peered: Pair) -> None:
    a, b = peered.a, peered.b
    request = ask(peered)
    boss = caller(b, Role.SUPERVISOR)
    refused(NotFound, "not_found", disclosure_ops.approve, b, boss, "0" * 64, "why")
    refused(
        Forbidden,
        "role_denied",
        disclosure_ops.approve,
        b,
        caller(b, Role.OFFICER),
        request.id,
        "why",
    )
    refused(BadInput, "reason_required", disclosure_ops.decline, b, boss, request.id, "  ")
    refused(
        Forbidden,
        "not_holder",
        disclosure_ops.approve,
        a,
        caller(a, Role.SUPERVISOR),
        request.id,
        "why",
    )
    refused(NotFound, "nothing_to_disclose", disclosure_ops.approve, b, boss, request.id, "why")
    disclosure_ops.decline(b, boss, request.id, "No")
    refused(Conflict, "already_decided", disclosure_ops.decline, b, boss, request.id, "again")


def test_only_own_items_and_only_what_the_markings_permit(peered: Pair) -> None:
    a, b = peered.a, peered.b
    theirs = publish(
        a,
        caller(a, Role.OFFICER),
        NewItem("alert", alert_body(text=PHONE), audience_nodes=(b.node_id,)),
    )
    Delivery(a).flush(b.node_id)
    request = ask(peered)
    boss = caller(b, Role.SUPERVISOR)
    refused(
        Forbidden, "third_party_item", disclosure_ops.approve, b, boss, request.id, "ok", theirs.id
    )
    closed = hold(
        b,
        HELD_MARKINGS.model_copy(
            update={"releasability": Releasability(exclude_countries=("PK",))}
        ),
    )
    refused(
        Forbidden, "disclosure_forbidden", disclosure_ops.approve, b, boss, request.id, "ok", closed
    )
    assert state(b, request.id).status == "pending"  # nothing stored
    with b.store.read() as conn:
        assert item_store.linked_items(conn, request.id, "disclosure") == []


def test_bad_requests_store_nothing(peered: Pair) -> None:
    a, b = peered.a, peered.b
    analyst = caller(a, Role.ANALYST)
    refused(
        BadInput,
        "invalid_identifier",
        disclosure_ops.open_request,
        a,
        analyst,
        b.node_id,
        "phone",
        "12",
        "why",
    )
    refused(
        BadInput,
        "justification_required",
        disclosure_ops.open_request,
        a,
        analyst,
        b.node_id,
        "phone",
        PHONE,
        " ",
    )
    refused(
        Forbidden,
        "role_denied",
        disclosure_ops.open_request,
        a,
        caller(a, Role.ADMIN),
        b.node_id,
        "phone",
        PHONE,
        "why",
    )
    with a.store.read() as conn:
        assert (
            disclosures.page(conn, a.node_id, status=None, direction=None, before=None, limit=10)
            == []
        )


def test_a_request_received_twice_is_stored_once(peered: Pair) -> None:
    a, b = peered.a, peered.b
    request = ask(peered)
    with b.store.read() as conn:
        sender = peers.require_peer(conn, a.node_id)
    again = inbox.receive(b, sender, [request.to_bytes()])
    assert again.accepted == [request.id] and again.stored == []
    with b.store.write() as conn:
        disclosures.observe(b, conn, [request])  # applied twice: still one row
    with b.store.read() as conn:
        rows = disclosures.page(conn, b.node_id, status=None, direction=None, before=None, limit=9)
    assert [r.request_id for r in rows] == [request.id]


def test_a_forged_answer_from_another_node_is_not_applied(peered: Pair) -> None:
    """A's row says it asked a third node C; B's answer is then a forgery to A and refused."""
    a, b = peered.a, peered.b
    request = ask(peered)
    with a.store.write() as conn:
        conn.execute(
            update(disclosures.T)
            .where(disclosures.T.c.request_id == request.id)
            .values(holder="csn" + "c" * 24)
        )
    answer = disclosure_ops.decline(b, caller(b, Role.SUPERVISOR), request.id, "I am not C")
    Delivery(b).flush(a.node_id)
    assert state(a, request.id).status == "pending"
    with a.store.read() as conn:
        assert item_store.get_item(conn, answer.id) is None
    (entry,) = audit(a, item_id=answer.id)
    assert entry["action"] == "peer_refused"
    assert entry["details"]["code"] == "not_holder"


def test_the_live_feed_shows_the_request_to_the_holder_and_the_answer_to_the_asker(
    peered: Pair,
) -> None:
    a, b = peered.a, peered.b
    hold(b)
    request = ask(peered)
    answer = disclosure_ops.approve(b, caller(b, Role.SUPERVISOR), request.id, "Agreed")
    Delivery(b).flush(a.node_id)
    for node, kind, wanted in ((b, "disclosure_request", request), (a, "disclosure", answer)):
        member, _ = add_member(node, f"watcher{node.identity.name.lower()[:2]}", Role.ANALYST)
        events = parse_sse(read_stream(api(node, token_for(node, member)), after=0))
        (seen,) = [json.loads(e["data"]) for e in events if e["event"] == kind]
        assert seen["id"] == wanted.id and seen["origin"] == wanted.origin
        assert seen["restricted"] is True  # personal data: opened with a justification


def test_api_answers_bad_input_with_the_error_body(peered: Pair) -> None:
    a, b = peered.a, peered.b
    request = ask(peered)
    boss, _ = add_member(b, "apiboss", Role.SUPERVISOR)
    client = api(b, token_for(b, boss))
    base = "/api/v1/disclosures"
    cases = [
        ("post", f"{base}/{request.id}/approve", {}, 422),  # no reason
        ("post", f"{base}/{request.id}/decline", {"reason": " "}, 422),
        ("post", f"{base}/{'0' * 64}/decline", {"reason": "no"}, 404),
        ("post", base, {"peer": a.node_id, "value_type": "phone", "value": PHONE}, 422),
        (
            "post",
            base,
            {"peer": a.node_id, "value_type": "phone", "value": "1", "justification": "x"},
            422,
        ),
    ]
    for method, path, body, status in cases:
        answer = client.request(method, path, json=body)
        assert answer.status_code == status, (path, answer.text)
        assert set(answer.json()["error"]) == {"code", "message", "details"}
    assert client.get(base, params={"direction": "sideways"}).status_code == 422
    listed = client.get(base, params={"status": "pending"}).json()["disclosures"]
    assert [(d["request_id"], d["value"], d["restricted"]) for d in listed] == [
        (request.id, None, True)
    ]
    seen = client.get(f"{base}/{request.id[:10]}", headers={"X-Justification": "triage"}).json()
    assert (seen["value"], seen["direction"]) == (CANONICAL, "incoming")
    (consulted,) = audit(b, item_id=request.id, action="consultation")
    assert consulted["justification"] == "triage"
    declined = client.post(f"{base}/{request.id}/decline", json={"reason": "Not now"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = client.post(f"{base}/{request.id}/decline", json={"reason": "Not now"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"


def test_erasing_the_request_erases_its_state_at_both_ends(peered: Pair) -> None:
    a, b = peered.a, peered.b
    request = ask(peered)
    boss = caller(a, Role.SUPERVISOR)
    actions.erase(a, Caller(boss.member, "wrong number"), request.id, "wrong number", None)
    assert Delivery(a).flush(b.node_id) == 1
    for node in (a, b):
        with node.store.read() as conn:
            assert disclosures.get(conn, request.id) is None


def test_lists_page_newest_first(peered: Pair) -> None:
    a, b = peered.a, peered.b
    analyst = caller(a, Role.ANALYST)
    opened = []
    for number in ("+92 300 1234567", "+92 300 7654321"):
        opened.append(
            disclosure_ops.open_request(a, analyst, b.node_id, "phone", number, "case 7").id
        )
        peered.clock.advance(seconds=1)
    client = api(a, token_for(a, analyst.member))
    first = client.get("/api/v1/disclosures", params={"limit": 1, "direction": "outgoing"}).json()
    assert [d["request_id"] for d in first["disclosures"]] == [opened[1]]
    after = {"limit": 1, "before": first["next_before"]}
    second = client.get("/api/v1/disclosures", params=after).json()
    assert [d["request_id"] for d in second["disclosures"]] == [opened[0]]
    incoming = client.get("/api/v1/disclosures", params={"direction": "incoming"}).json()
    assert incoming["disclosures"] == []


def test_an_indicator_item_is_disclosed_with_where_it_was_seen(peered: Pair) -> None:
    b = peered.b
    body = {"value_type": "phone", "value": CANONICAL, "context": "Seen on a recruitment post"}
    keeper = caller(b, Role.OFFICER, "recorder")
    held = publish(b, keeper, NewItem("indicator", body, Markings(tlp=TLP.AMBER))).id
    request = ask(peered)
    answer = disclosure_ops.approve(b, caller(b, Role.SUPERVISOR), request.id, "Agreed", held)
    assert answer.body["item_kind"] == "indicator"
    assert answer.body["text"] == "Seen on a recruitment post"
    assert (answer.body["value_type"], answer.body["value"]) == ("phone", CANONICAL)
    assert answer.markings == Markings(tlp=TLP.AMBER)
    Delivery(b).flush(peered.a.node_id)  # the asker finds the value it asked about: accepted
    assert state(peered.a, request.id).status == "approved"
