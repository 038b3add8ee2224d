"""Sharing groups across four in-process nodes: A owns a group with B and C; D is peered only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from csnet.access import Caller, actor_of
from csnet.errors import Forbidden, NotFound
from csnet.federation import group_ops, groups, handshake, inbox
from csnet.federation.delivery import Delivery
from csnet.federation.peers import require_peer
from csnet.handling.markings import TLP, Markings
from csnet.items import relay
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish_many
from tests.databases import Databases
from tests.factories import add_member, alert_body, api, token_for
from tests.federation.conftest import Pair, _node
from tests.federation.test_delivery import _officer, post, queued, raw_of, resign
from tests.federation.test_handshake import invite, peer_up

NAME = "Eastern Mediterranean"


@dataclass
class Net:
    a: Node
    b: Node
    c: Node
    d: Node


@pytest.fixture
def net(pair: Pair, tmp_path: Path, databases: Databases, bus_url: str) -> Iterator[Net]:
    """A and B peered; C and D each peered with A and B (on PostgreSQL, one database each)."""
    peer_up(pair)
    extra = []
    for name, country in (("IT-GDF", "IT"), ("TR-CG", "TR")):
        node = _node(tmp_path / name, databases, name, country, pair.clock, bus_url)
        url = f"https://{name.lower()}.test"
        node.settings = node.settings.replace(public_url=url)
        pair.transport.add(url, node)
        node.transport = pair.transport
        for other in (pair.a, pair.b):
            handshake.accept(node, pair.transport, invite(other), "host:test")
        extra.append(node)
    yield Net(pair.a, pair.b, extra[0], extra[1])
    for node in extra:
        node.close()


def _group(net: Net) -> str:
    """A creates the group, invites B and C, and pushes the membership items."""
    gid = group_ops.create(net.a, NAME, "host:test").id
    group_ops.add(net.a, gid, net.b.node_id, "host:test")
    group_ops.add(net.a, gid, net.c.node_id, "host:test")
    Delivery(net.a).flush_all()
    return gid


def to_group(node: Node, gid: str, tlp: TLP = TLP.AMBER) -> Envelope:
    new = NewItem("alert", alert_body(), Markings(tlp=tlp), audience_groups=(gid,))
    return publish_many(node, Caller(_officer(node)), [new])[0]


def _view(node: Node) -> groups.Membership:
    with node.store.read() as conn:
        return groups.load(conn)


def test_membership_items_reach_members_and_are_applied(net: Net) -> None:
    gid = _group(net)
    everyone = frozenset({net.a.node_id, net.b.node_id, net.c.node_id})
    for node in (net.a, net.b, net.c):
        group = _view(node).groups[gid]
        assert group.members == everyone and group.owner == net.a.node_id and group.name == NAME
    assert _view(net.d).groups == {}
    member, _ = add_member(net.b, "reader", "officer")
    assert actor_of(net.b, member).groups == {gid}  # policy sees B's groups


def test_alert_to_group_reaches_members_only(net: Net) -> None:
    gid = _group(net)
    first = to_group(net.a, gid)
    assert {p for p, i, _ in queued(net.a) if i == first.id} == {net.b.node_id, net.c.node_id}
    Delivery(net.a).flush_all()
    assert raw_of(net.b, first.id) == raw_of(net.c, first.id) == first.to_bytes()
    assert raw_of(net.d, first.id) is None
    group_ops.remove(net.a, gid, net.b.node_id, "host:test")
    Delivery(net.a).flush_all()
    assert net.b.node_id not in _view(net.b).groups[gid].members  # B was told it left
    second = to_group(net.a, gid)
    Delivery(net.a).flush_all()
    assert raw_of(net.c, second.id) == second.to_bytes() and raw_of(net.b, second.id) is None


def test_membership_forged_by_a_non_owner_is_refused(net: Net) -> None:
    gid = _group(net)
    real = _view(net.b).groups[gid]
    body = {
        "group_id": gid,
        "name": NAME,
        "created": real.created,
        "action": "add",
        "member": net.d.node_id,
        "members": sorted({*real.members, net.d.node_id}),
    }
    (template,) = post(net.d, to=(net.b.node_id,))
    wire = {**template.unsigned_wire(), "kind": "group", "body": body, "seq": template.seq + 1}
    forged = resign(wire, net.d.key)
    with net.b.store.read() as conn:
        sender = require_peer(conn, net.d.node_id)
    receipt = inbox.receive(net.b, sender, [forged])
    assert [r.code for r in receipt.refused] == ["not_owner"]
    assert net.d.node_id not in _view(net.b).groups[gid].members


def test_green_to_group_may_be_forwarded_inside_the_group_only(net: Net) -> None:
    gid = _group(net)
    green = to_group(net.a, gid, TLP.GREEN)
    Delivery(net.a).flush(net.b.node_id)
    assert [(p, i) for p, i, _ in queued(net.b)] == [(net.c.node_id, green.id)]  # not D
    view = _view(net.b)
    mine = view.of(net.b.node_id)
    to_c = relay.Target(net.c.node_id, "IT", view.of(net.c.node_id))
    to_d = relay.Target(net.d.node_id, "TR", view.of(net.d.node_id))
    assert relay.may_send(net.b.node_id, green, to_c, mine).allowed
    assert not relay.may_send(net.b.node_id, green, to_d, mine).allowed
    Delivery(net.b).flush(net.c.node_id)
    assert raw_of(net.c, green.id) == green.to_bytes()


def test_red_to_a_group_only_is_neither_sent_nor_accepted(net: Net) -> None:
    gid = _group(net)
    red = to_group(net.a, gid, TLP.RED)
    assert [i for _, i, _ in queued(net.a) if i == red.id] == []
    with net.b.store.read() as conn:
        sender = require_peer(conn, net.a.node_id)
    receipt = inbox.receive(net.b, sender, [json.loads(red.to_bytes())])
    assert [r.code for r in receipt.refused] == ["not_in_audience"]


def test_only_the_owner_changes_membership(net: Net) -> None:
    gid = _group(net)
    with pytest.raises(Forbidden):
        group_ops.add(net.b, gid, net.d.node_id, "host:test")
    with pytest.raises(NotFound):
        group_ops.add(net.a, gid, "n" * 20, "host:test")  # not a peer: no invitation possible


def test_groups_api(net: Net) -> None:
    gid = _group(net)
    admin, _ = add_member(net.a, "root", "admin")
    client = api(net.a, token_for(net.a, admin, ("read", "write", "admin")))
    made = client.post("/api/v1/groups", json={"name": "Document experts"})
    assert made.status_code == 201
    added = client.post(f"/api/v1/groups/{made.json()['id']}/members", json={"node": net.d.node_id})
    assert added.status_code == 200 and net.d.node_id in added.json()["members"]
    reader = api(net.b, token_for(net.b, _officer(net.b)))
    listed = reader.get("/api/v1/groups").json()
    assert [g["id"] for g in listed] == [gid]
    gone = client.delete(f"/api/v1/groups/{gid}/members/{net.c.node_id}")
    assert gone.status_code == 200 and net.c.node_id not in gone.json()["members"]
    assert reader.post("/api/v1/groups", json={"name": "x"}).status_code == 403


def test_pull_serves_group_addressed_items_to_members_only(net: Net) -> None:
    from csnet.federation import pull
    from tests.federation.test_pull import push_failed

    gid = _group(net)
    alert = to_group(net.a, gid)
    with net.a.store.read() as conn:
        c_at_a = require_peer(conn, net.c.node_id)
        d_at_a = require_peer(conn, net.d.node_id)
    push_failed(net.a, net.c.node_id)  # else pull leaves the queued alert to push
    to_c = pull.serve_page(net.a, c_at_a, net.a.node_id, 0, 500)
    to_d = pull.serve_page(net.a, d_at_a, net.a.node_id, 0, 500)
    assert alert.id in {w["id"] for w in to_c.items}
    assert alert.id not in {w["id"] for w in to_d.items}
