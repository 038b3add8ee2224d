"""The peer service: a status change is stored with its one audit entry, or, refused, leaves
neither; the reads behind the admin page, the CLI and the compose pickers."""

from __future__ import annotations

import pytest

from csnet.audit import AuditAction
from csnet.errors import Conflict, NotFound
from csnet.federation import group_ops, peer_ops
from csnet.federation.peers import PeerStatus
from csnet.handling.roles import Role
from tests.factories import add_member
from tests.federation.audited import count, entries
from tests.federation.conftest import Pair
from tests.federation.test_handshake import peer_up

ACTOR = "member:m-1"


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def test_a_status_change_is_stored_with_its_audit_entry(peered: Pair) -> None:
    a, b_id = peered.a, peered.b.node_id
    suspended = peer_ops.set_status(a, ACTOR, b_id, PeerStatus.SUSPENDED)
    assert suspended.status is PeerStatus.SUSPENDED
    assert peer_ops.find(a, b_id) == suspended
    *_, entry = entries(a, AuditAction.PEER_CHANGE)
    assert entry == {
        "actor": ACTOR,
        "action": "peer_change",
        "item_id": None,
        "justification": None,
        "recipients": [],
        "details": {"peer": b_id, "change": "suspended"},
    }


def test_a_refused_change_stores_nothing(peered: Pair) -> None:
    a, b_id = peered.a, peered.b.node_id
    peer_ops.set_status(a, ACTOR, b_id, PeerStatus.REVOKED)
    before = count(a)
    with pytest.raises(Conflict) as caught:
        peer_ops.set_status(a, ACTOR, b_id, PeerStatus.ACTIVE)
    assert caught.value.error_code == "peer_revoked"
    with pytest.raises(NotFound):
        peer_ops.set_status(a, ACTOR, "csn" + "a" * 24, PeerStatus.SUSPENDED)
    assert count(a) == before
    found = peer_ops.find(a, b_id)
    assert found is not None and found.status is PeerStatus.REVOKED


def test_lists_and_finds_peers(peered: Pair) -> None:
    a, b = peered.a, peered.b
    assert [p.node_id for p in peer_ops.list_peers(a)] == [b.node_id]
    assert peer_ops.find(a, "csn" + "a" * 24) is None
    assert peer_ops.list_peers(b)[0].identity.name == "PK-FIA"


def test_addressees_are_joined_groups_active_peers_and_enabled_members(peered: Pair) -> None:
    a, b = peered.a, peered.b
    officer, _ = add_member(a, "officer", Role.OFFICER)
    group = group_ops.create(a, "Eastern Med", "host:test")
    group_ops.create(b, "Not ours", "host:test")
    found = peer_ops.addressees(a)
    assert [g.id for g in found.groups] == [group.id]
    assert [p.node_id for p in found.peers] == [b.node_id]
    assert [m.id for m in found.members] == [officer.id]
    peer_ops.set_status(a, ACTOR, b.node_id, PeerStatus.SUSPENDED)
    assert peer_ops.addressees(a).peers == []
