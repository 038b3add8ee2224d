"""H2 consent across four in-process nodes: A originates, B holds and relays, C and D are
peered with A and B (not with each other)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from csnet.errors import BadInput, Forbidden, NotFound
from csnet.federation import consent, consent_ops, handshake, inbox, outbox, pull
from csnet.federation.delivery import Delivery
from csnet.federation.peers import Peer, require_peer
from csnet.handling.markings import TLP, Handling, HandlingCode
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store.tables import consents as consents_table
from tests.databases import Databases
from tests.factories import add_member, api, token_for
from tests.federation.conftest import Pair, _node
from tests.federation.test_delivery import post, queued, raw_of, resign
from tests.federation.test_handshake import actions, invite, peer_up

H2 = Handling(code=HandlingCode.H2)
HOST = consent_ops.Issuer("host:test")
AddNode = Callable[[str, str, Sequence[Node]], Node]


@pytest.fixture
def add_node(pair: Pair, tmp_path: Path, databases: Databases, bus_url: str) -> Iterator[AddNode]:
    """Builds more nodes on the pair's transport, peered with the nodes given (each invites)."""
    made: list[Node] = []

    def build(name: str, country: str, peers: Sequence[Node]) -> Node:
        node = _node(tmp_path / name, databases, name, country, pair.clock, bus_url)
        url = f"https://{name.lower()}.test"
        node.settings = node.settings.replace(public_url=url)
        pair.transport.add(url, node)
        node.transport = pair.transport
        for other in peers:
            handshake.accept(node, pair.transport, invite(other), "host:test")
        made.append(node)
        return node

    yield build
    for node in made:
        node.close()


@dataclass
class Net:
    pair: Pair
    a: Node
    b: Node
    c: Node
    d: Node


@pytest.fixture
def net(pair: Pair, add_node: AddNode) -> Net:
    peer_up(pair)
    c = add_node("IT-GDF", "IT", (pair.a, pair.b))
    d = add_node("TR-CG", "TR", (pair.a, pair.b))
    return Net(pair, pair.a, pair.b, c, d)


def peer_at(node: Node, other: Node) -> Peer:
    with node.store.read() as conn:
        return require_peer(conn, other.node_id)


def h2_item(net: Net, tlp: TLP = TLP.GREEN) -> Envelope:
    """A's H2 item addressed to B only; GREEN is network-wide, so C and D are in its community."""
    (env,) = post(net.a, to=(net.b.node_id,), tlp=tlp, handling=H2, network_wide=tlp is TLP.GREEN)
    Delivery(net.a).flush_all()
    assert raw_of(net.b, env.id) == env.to_bytes()
    return env


def grant(node: Node, item: Envelope, *to: Node, **extra: Any) -> consent.Grant:
    names = frozenset(n.node_id for n in to)
    request = consent_ops.Request(names, frozenset(), "joint investigation JIT-7", **extra)
    return consent_ops.grant(node, item.id, request, HOST)


def relayed(node: Node, item: Envelope) -> set[str]:
    return {peer for peer, item_id, _ in queued(node) if item_id == item.id}


def test_h2_item_is_not_relayed_without_consent(net: Net) -> None:
    item = h2_item(net)
    assert relayed(net.b, item) == set()
    Delivery(net.b).flush_all()
    assert raw_of(net.c, item.id) is None


def test_consent_lets_b_relay_to_c_which_checks_it(net: Net) -> None:
    item = h2_item(net)
    url_c = "https://it-gdf.test"
    app_c = net.pair.transport.apps.pop(url_c)  # C misses A's push of the consent
    given = grant(net.a, item, net.c)
    Delivery(net.a).flush_all()
    net.pair.transport.apps[url_c] = app_c
    assert relayed(net.b, item) == {net.c.node_id}  # B reconsidered the item it held
    assert {p for p, i, _ in queued(net.b) if i == given.consent_id} == {net.c.node_id}
    assert Delivery(net.b).flush(net.c.node_id) == 2  # [item, consent]: the item sorts first
    assert raw_of(net.c, item.id) == item.to_bytes()  # the originator's signature intact
    assert raw_of(net.c, given.consent_id) is not None
    assert raw_of(net.d, item.id) is None  # not named
    with net.c.store.read() as conn:
        (row,) = conn.execute(select(consents_table)).mappings()
    assert row["item_id"] == item.id and row["nodes"] == [net.c.node_id]


def test_c_refuses_h2_relayed_without_consent(net: Net) -> None:
    item = h2_item(net)
    before = raw_of(net.c, item.id)
    receipt = inbox.receive(net.c, peer_at(net.c, net.b), [json.loads(item.to_bytes())])
    assert before is None and receipt.accepted == []
    assert [r.code for r in receipt.refused] == ["relay_forbidden"]
    assert "H2: forward needs the originator's permission" in receipt.refused[0].message
    assert raw_of(net.c, item.id) is None
    refused = [d for _, a, d in actions(net.c) if a == "peer_refused"]
    assert refused[-1]["code"] == "relay_forbidden" and refused[-1]["origin"] == net.b.node_id


def test_consent_naming_another_node_does_not_let_c_accept(net: Net) -> None:
    item = h2_item(net)
    grant(net.a, item, net.d)
    Delivery(net.a).flush_all()
    receipt = inbox.receive(net.c, peer_at(net.c, net.b), [json.loads(item.to_bytes())])
    assert [r.code for r in receipt.refused] == ["relay_forbidden"]
    assert relayed(net.b, item) == {net.d.node_id}


def test_consent_by_a_non_originator_is_refused(net: Net) -> None:
    item = h2_item(net)
    with pytest.raises(Forbidden) as caught:
        grant(net.b, item, net.c)
    assert caught.value.error_code == "not_origin"
    (template,) = post(net.b, to=(net.a.node_id,))
    body = {"item": item.id, "relay_to_nodes": [net.c.node_id], "purpose": "forged"}
    wire = {
        **template.unsigned_wire(),
        "kind": "consent",
        "body": body,
        "seq": template.seq + 1,
        "markings": {**template.unsigned_wire()["markings"], "tlp": "TLP:GREEN"},
    }
    forged = resign(wire, net.b.key)
    receipt = inbox.receive(net.a, peer_at(net.a, net.b), [forged])
    assert [r.code for r in receipt.refused] == ["not_origin"]
    with net.a.store.read() as conn:
        assert consent.View(conn).grant(item.id, net.b.node_id) is None
    assert [d["code"] for _, a, d in actions(net.a) if a == "peer_refused"] == ["not_origin"]


def test_withdrawn_consent_stops_further_relay(net: Net) -> None:
    item = h2_item(net)
    given = grant(net.a, item, net.c, net.d)
    Delivery(net.a).flush_all()
    assert relayed(net.b, item) == {net.c.node_id, net.d.node_id}
    Delivery(net.b).flush(net.c.node_id)
    assert raw_of(net.c, item.id) == item.to_bytes()
    gone = consent_ops.withdraw(net.a, consent_ops.item_of(net.a, given.consent_id), HOST)
    assert gone.state(net.a.now()) == "withdrawn"
    Delivery(net.a).flush_all()
    assert relayed(net.b, item) == set()  # the row queued for D was dropped
    Delivery(net.b).flush_all()
    assert raw_of(net.d, item.id) is None
    receipt = inbox.receive(net.d, peer_at(net.d, net.b), [json.loads(item.to_bytes())])
    assert [r.code for r in receipt.refused] == ["relay_forbidden"]  # D was told too
    with pytest.raises(NotFound):
        consent_ops.withdraw(net.a, item.id, HOST)


def test_expired_consent_no_longer_counts(net: Net) -> None:
    item = h2_item(net)
    grant(net.a, item, net.c, expires=net.a.now() + timedelta(hours=1))
    Delivery(net.a).flush_all()
    net.pair.clock.advance(hours=2)
    receipt = inbox.receive(net.c, peer_at(net.c, net.b), [json.loads(item.to_bytes())])
    assert [r.code for r in receipt.refused] == ["relay_forbidden"]


def test_amber_h2_is_not_relayed_even_with_consent(net: Net) -> None:
    item = h2_item(net, TLP.AMBER)
    grant(net.a, item, net.c)
    Delivery(net.a).flush_all()
    assert relayed(net.b, item) == set()
    receipt = inbox.receive(net.c, peer_at(net.c, net.b), [json.loads(item.to_bytes())])
    assert [r.code for r in receipt.refused] == ["not_in_audience"]  # AMBER: C not addressed


def test_pull_serves_the_consent_with_the_item(net: Net) -> None:
    item = h2_item(net)
    given = grant(net.a, item, net.c)
    Delivery(net.a).flush(net.b.node_id)  # C gets nothing by push
    with net.b.store.write() as conn:
        outbox.remove(conn, net.c.node_id, [item.id, given.consent_id])  # a push that was lost
    page = pull.serve_page(net.b, peer_at(net.b, net.c), net.a.node_id, 0, 1)
    assert [w["id"] for w in page.items] == [given.consent_id, item.id]  # the consent rides along
    assert pull.pull_peer(net.c, peer_at(net.c, net.b)) == 2
    assert raw_of(net.c, item.id) == item.to_bytes()


def test_grant_checks_its_request(net: Net) -> None:
    item = h2_item(net)
    (plain,) = post(net.a, to=(net.b.node_id,))
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: grant(net.a, plain, net.c), "consent_not_needed"),
        (lambda: grant(net.a, item), "empty_consent"),
        (lambda: grant(net.a, item, net.a), "bad_consent"),
        (lambda: grant(net.a, item, net.c, expires=net.a.now()), "bad_expiry"),
    ]
    for call, code in cases:
        with pytest.raises(BadInput) as caught:
            call()
        assert caught.value.error_code == code
    with pytest.raises(NotFound):
        consent_ops.grant(
            net.a, "f" * 64, consent_ops.Request(frozenset({net.c.node_id}), frozenset(), "x"), HOST
        )


def test_consent_api(net: Net) -> None:
    item = h2_item(net)
    boss, _ = add_member(net.a, "boss", "supervisor")
    other, _ = add_member(net.a, "other", "officer")
    body = {"item": item.id[:12], "relay_to_nodes": [net.c.node_id], "purpose": "JIT-7"}
    denied = api(net.a, token_for(net.a, other)).post("/api/v1/consents", json=body)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "role_denied"
    client = api(net.a, token_for(net.a, boss))
    made = client.post("/api/v1/consents", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "active" and made.json()["relay_to_nodes"] == [net.c.node_id]
    listed = client.get("/api/v1/consents").json()
    assert [(c["item"], c["mine"]) for c in listed] == [(item.id, True)]
    bad = client.post("/api/v1/consents", json={**body, "relay_to_nodes": ["nobody"]})
    assert bad.status_code == 422
    gone = client.delete(f"/api/v1/consents/{made.json()['consent']}")
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn"
    granted = [d for a, act, d in actions(net.a) if act == "collection" and "consent" in d]
    assert [d["consent"] for d in granted] == ["granted", "withdrawn"]
    assert api(net.a).get("/api/v1/consents").status_code == 401
    b_boss, _ = add_member(net.b, "boss", "supervisor")
    at_b = api(net.b, token_for(net.b, b_boss)).post("/api/v1/consents", json=body)
    assert at_b.status_code == 403 and at_b.json()["error"]["code"] == "not_origin"
    (plain,) = post(net.a, to=(net.b.node_id,))
    not_h2 = client.post("/api/v1/consents", json={**body, "item": plain.id})
    assert not_h2.status_code == 422 and not_h2.json()["error"]["code"] == "consent_not_needed"
    unknown = client.post("/api/v1/consents", json={**body, "item": "f" * 64})
    assert unknown.status_code == 404


def test_consent_body_is_strict() -> None:
    from csnet.items.kinds import validate_body

    node_1, node_2 = "csn" + "a" * 24, "csn" + "b" * 24
    good = {"item": "a" * 64, "relay_to_nodes": [node_1, node_2], "purpose": "JIT-7"}
    assert validate_body("consent", good).model_dump()["relay_to_groups"] == ()
    assert validate_body("consent", {"item": "a" * 64, "purpose": "withdrawn"})  # names nobody
    for bad in (
        {**good, "relay_to_nodes": [node_2, node_1]},  # not sorted
        {**good, "relay_to_nodes": [node_1, node_1]},
        {**good, "relay_to_nodes": ["PK-FIA"]},
        {**good, "relay_to_groups": ["Eastern Mediterranean"]},
        {**good, "purpose": "  "},
        {**good, "item": "a" * 63},
        {**good, "expires": "2026-12-01T00:00:00"},  # no zone
        {**good, "colour": "red"},
    ):
        with pytest.raises(BadInput) as caught:
            validate_body("consent", bad)
        assert caught.value.error_code == "bad_body"


def test_a_consent_under_a_held_seq_lets_nothing_through(net: Net) -> None:
    """Whoever holds A's key signs a consent under a seq C already holds: judged ahead of the
    batch, it would let the H2 item in and then be refused itself; it is judged in order."""
    item = h2_item(net)
    (held,) = post(net.a, to=(net.b.node_id, net.c.node_id), tlp=TLP.GREEN)
    Delivery(net.a).flush_all()
    assert raw_of(net.c, held.id) == held.to_bytes()
    body = {"item": item.id, "relay_to_nodes": [net.c.node_id], "purpose": "forged"}
    planted = resign({**held.unsigned_wire(), "kind": "consent", "body": body}, net.a.key)
    wires = [json.loads(item.to_bytes()), planted]
    receipt = inbox.receive(net.c, peer_at(net.c, net.b), wires)
    assert receipt.accepted == []
    assert [(r.index, r.code) for r in receipt.refused] == [
        (0, "relay_forbidden"),
        (1, "seq_conflict"),
    ]
    assert raw_of(net.c, item.id) is None and raw_of(net.c, held.id) == held.to_bytes()
    with net.c.store.read() as conn:
        assert consent.View(conn).grant(item.id, net.a.node_id) is None
