"""The group service: each owner-side change is a signed item, stored, queued and audited in
one transaction with one entry; a refused change leaves nothing; the reads behind the lists."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from csnet.audit import AuditAction
from csnet.errors import BadInput, Conflict
from csnet.federation import group_ops, peer_ops
from csnet.federation.delivery import Delivery
from csnet.federation.peers import PeerStatus
from csnet.node import Node
from csnet.store import item_store
from tests.federation.audited import count, entries
from tests.federation.conftest import Pair
from tests.federation.test_delivery import queued
from tests.federation.test_handshake import peer_up

ACTOR = "member:m-1"


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def last_change(node: Node) -> dict[str, Any]:
    *_, entry = entries(node, AuditAction.PEER_CHANGE)
    return entry


def group_item(node: Node, item_id: str) -> dict[str, Any]:
    with node.store.read() as conn:
        held = item_store.get_item(conn, item_id)
    assert held is not None and held.envelope.kind == "group"
    return held.envelope.body


def test_create_add_remove_are_each_audited_once_with_their_item(peered: Pair) -> None:
    a, b_id = peered.a, peered.b.node_id
    handshake = len(entries(a, AuditAction.PEER_CHANGE))
    group = group_ops.create(a, "  Eastern Med ", ACTOR)
    created = last_change(a)
    assert created == {
        "actor": ACTOR,
        "action": "peer_change",
        "item_id": created["item_id"],
        "justification": None,
        "recipients": [f"node:{a.node_id}"],
        "details": {"change": "group created", "group": group.id, "name": "Eastern Med"},
    }
    assert group_item(a, created["item_id"])["action"] == "create"
    group_ops.add(a, group.id, b_id, ACTOR)
    added = last_change(a)
    assert added["recipients"] == sorted([f"node:{a.node_id}", f"node:{b_id}"])
    assert added["details"] == {"change": f"added {b_id}", "group": group.id, "name": "Eastern Med"}
    assert group_item(a, added["item_id"])["member"] == b_id
    assert (b_id, added["item_id"], 0) in queued(a)
    group_ops.remove(a, group.id, b_id, ACTOR)
    removed = last_change(a)
    assert removed["recipients"] == added["recipients"]  # the removed node is told too
    assert removed["details"]["change"] == f"removed {b_id}"
    assert len(entries(a, AuditAction.PEER_CHANGE)) == handshake + 3


def test_refused_changes_store_nothing(peered: Pair) -> None:
    a, b_id = peered.a, peered.b.node_id
    group = group_ops.create(a, "Eastern Med", ACTOR)
    group_ops.add(a, group.id, b_id, ACTOR)
    before = (count(a), queued(a), group_ops.known(a))
    with pytest.raises(Conflict) as caught:
        group_ops.add(a, group.id, b_id, ACTOR)
    assert caught.value.error_code == "already_member"
    with pytest.raises(BadInput):
        group_ops.remove(a, group.id, a.node_id, ACTOR)
    with pytest.raises(BadInput):
        group_ops.create(a, "x" * 201, ACTOR)
    assert (count(a), queued(a), group_ops.known(a)) == before


def test_a_suspended_peer_is_not_invited(peered: Pair) -> None:
    a, b_id = peered.a, peered.b.node_id
    group = group_ops.create(a, "Eastern Med", ACTOR)
    peer_ops.set_status(a, ACTOR, b_id, PeerStatus.SUSPENDED)
    before = count(a)
    with pytest.raises(Conflict) as caught:
        group_ops.add(a, group.id, b_id, ACTOR)
    assert caught.value.error_code == "peer_not_active" and count(a) == before


def test_known_lists_every_group_and_joined_only_this_nodes(peered: Pair) -> None:
    a, b = peered.a, peered.b
    zulu = group_ops.create(a, "Zulu", ACTOR)
    alpha = group_ops.create(a, "Alpha", ACTOR)
    group_ops.add(a, zulu.id, b.node_id, ACTOR)
    group_ops.remove(a, zulu.id, b.node_id, ACTOR)
    assert [g.id for g in group_ops.joined(a)] == [alpha.id, zulu.id]  # by name
    Delivery(a).flush_all()
    assert [g.id for g in group_ops.known(b)] == [zulu.id]  # b learnt it, and that it left
    assert group_ops.joined(b) == []


def test_a_fresh_process_creates_a_group_first(node: Node) -> None:
    """`csnet group create` may be the first item a process stores: the pipeline's projection
    providers are loaded before its kinds are checked."""
    command = [sys.executable, "-m", "csnet.cli.main", "group", "create", "Eastern Med", "--json"]
    where = ["--data-dir", str(node.settings.data_dir)]
    done = subprocess.run([*command, *where], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert [g.name for g in group_ops.joined(node)] == ["Eastern Med"]
