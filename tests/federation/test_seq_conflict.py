"""An origin's sequence number names one item: a different item under an (origin, seq) already
held (or already accepted earlier in the same batch) is refused on its own as `seq_conflict`,
audited, and the rest of the batch or page is stored; the held item stays as it was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from csnet.audit.query import AuditFilter, list_entries
from csnet.federation import inbox, peers, pull, rotation
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store import item_store
from csnet.store.tables import items
from tests.federation.conftest import Pair
from tests.federation.test_consent import add_node, peer_at
from tests.federation.test_delivery import post, raw_of
from tests.federation.test_handshake import peer_up
from tests.federation.test_inbox import push, stored_on_b
from tests.federation.test_key_rotation import forged, net, relay_to
from tests.federation.test_pull import push_failed

__all__ = ["add_node", "net"]  # the fixtures, used by name


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def wire(env: Envelope) -> dict[str, Any]:
    return env.to_wire()


def refusals(answer: dict[str, Any]) -> list[tuple[int, str | None, str]]:
    return [(r["index"], r["id"], r["code"]) for r in answer["refused"]]


def refused_in_audit(node: Node, item_id: str) -> list[str]:
    """The codes of the `peer_refused` entries about `item_id`."""
    with node.store.read() as conn:
        found = list_entries(conn, AuditFilter(item_id=item_id), limit=500)
    return [e["details"]["code"] for e in found if e["action"] == "peer_refused"]


def holder_of(node: Node, origin: str, seq: int) -> list[str]:
    with node.store.read() as conn:
        query = select(items.c.id).where(items.c.origin == origin, items.c.seq == seq)
        return list(conn.execute(query).scalars())


def test_a_different_item_under_a_held_seq_is_refused_alone(peered: Pair) -> None:
    a, b = peered.a, peered.b
    first, second = post(a, 2, to=(b.node_id,))
    assert push(peered, [wire(first)]).json()["accepted"] == [first.id]
    twin = forged(first, a.key, first.seq, "Another item under the same seq")
    answer = push(peered, [twin, wire(second)])
    assert answer.status == 200, answer.body
    data = answer.json()
    assert data["accepted"] == [second.id]
    assert refusals(data) == [(0, twin["id"], "seq_conflict")]
    assert raw_of(b, first.id) == first.to_bytes()  # the held item is unchanged
    assert raw_of(b, twin["id"]) is None and raw_of(b, second.id) == second.to_bytes()
    assert refused_in_audit(b, twin["id"]) == ["seq_conflict"]
    assert holder_of(b, a.node_id, first.seq) == [first.id]


def test_two_items_with_one_seq_in_a_batch_the_first_is_kept(peered: Pair) -> None:
    a, b = peered.a, peered.b
    first, second = post(a, 2, to=(b.node_id,))
    twin = forged(first, a.key, first.seq, "Another item under the same seq")
    answer = push(peered, [wire(first), twin, wire(second), twin])
    assert answer.status == 200, answer.body
    data = answer.json()
    assert data["accepted"] == [first.id, second.id]
    assert refusals(data) == [(1, twin["id"], "seq_conflict"), (3, twin["id"], "seq_conflict")]
    assert stored_on_b(peered) == 2 and raw_of(b, first.id) == first.to_bytes()
    assert refused_in_audit(b, twin["id"]) == ["seq_conflict", "seq_conflict"]


def test_a_pulled_page_keeps_the_held_item_and_stores_the_rest(peered: Pair) -> None:
    a, b = peered.a, peered.b
    first, second, third = post(a, 3, to=(b.node_id,))
    planted = forged(first, a.key, first.seq, "Planted before the real one arrived")
    assert push(peered, [planted]).json()["accepted"] == [planted["id"]]
    push_failed(a, b.node_id)  # why: items still queued for push are not served by pull
    assert pull.pull_origin(b, peer_at(b, a), a.node_id) == 2
    assert raw_of(b, second.id) == second.to_bytes() and raw_of(b, third.id) == third.to_bytes()
    assert holder_of(b, a.node_id, first.seq) == [planted["id"]]
    assert refused_in_audit(b, first.id) == ["seq_conflict"]
    with b.store.read() as conn:
        assert inbox.cursor_of(conn, a.node_id, a.node_id) == third.seq


def test_an_old_key_item_under_a_held_seq_is_refused(
    pair: Pair, net: tuple[Node, Node, Node]
) -> None:
    a, b, c = net
    (before,) = post(a, to=(b.node_id, c.node_id), tlp=TLP.CLEAR)
    Delivery(a).flush_all()
    old_key = a.key
    rotation.rotate_own_key(a, "host:test")
    # The retired key still verifies seqs up to the rotation: one of those already held here.
    stolen = forged(before, old_key, before.seq, "Forged with the retired key")
    (fresh,) = post(c, to=(b.node_id,), tlp=TLP.CLEAR)
    answer = relay_to(c, b, stolen, wire(fresh))
    assert answer["accepted"] == [fresh.id]
    assert refusals(answer) == [(0, stolen["id"], "seq_conflict")]
    assert raw_of(b, before.id) == before.to_bytes() and raw_of(b, stolen["id"]) is None
    assert refused_in_audit(b, stolen["id"]) == ["seq_conflict"]


def test_a_seq_taken_between_judging_and_writing_is_refused(
    peered: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another receipt may store the seq after this batch was judged: the write checks again."""
    a, b = peered.a, peered.b
    first, second = post(a, 2, to=(b.node_id,))
    racing = Envelope.model_validate(forged(first, a.key, first.seq, "Stored by a racing push"))
    judge = inbox._judge

    def judge_then_race(*args: Any) -> Any:
        verdict = judge(*args)
        with b.store.write() as conn:
            item_store.insert_items(conn, [(racing, racing.to_bytes())], b.now())
        return verdict

    monkeypatch.setattr(inbox, "_judge", judge_then_race)
    with b.store.read() as conn:
        a_at_b = peers.require_peer(conn, a.node_id)
    receipt = inbox.receive(b, a_at_b, [wire(first), wire(second)])
    assert receipt.accepted == [second.id]
    assert [(r.index, r.item_id, r.code) for r in receipt.refused] == [
        (0, first.id, "seq_conflict")
    ]
    assert [e.id for e in receipt.stored] == [second.id]
    assert holder_of(b, a.node_id, first.seq) == [racing.id]
    assert refused_in_audit(b, first.id) == ["seq_conflict"]


def test_seq_holders_finds_exactly_the_pairs_asked(pair: Pair) -> None:
    a, b = pair.a, pair.b
    first, second, third = post(a, 3)
    with b.store.write() as conn:
        item_store.insert_items(conn, [(e, e.to_bytes()) for e in (first, second, third)], b.now())
    # why: (other origin, second.seq) must not find A's item under that seq; past 500 pairs the
    # look-up is split, and A's pairs (sorted after the filler's origin) come in the second part
    filler = [("csn" + "2" * 24, n) for n in range(600)]
    asked = [(b.node_id, second.seq), *filler, (a.node_id, first.seq), (a.node_id, third.seq)]
    with b.store.read() as conn:
        found = item_store.seq_holders(conn, asked)
    assert found == {(a.node_id, first.seq): first.id, (a.node_id, third.seq): third.id}
