"""One pipeline for every item: a projection registered once applies to the items this node
publishes, to its own items, and to items received from a peer, pushed or pulled; a kind that
names a projection nobody registered is refused before anything is stored."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from csnet.access import Caller
from csnet.bus import Event
from csnet.errors import CsnetError
from csnet.federation import group_ops, outbox, peers, pull
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.items import kinds
from csnet.items.bodies import Note
from csnet.pipeline import projections
from csnet.pipeline.projections import Applying, Projection
from csnet.pipeline.source import Via
from csnet.publishing import NewItem, publish
from csnet.store import item_store
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair
from tests.federation.test_handshake import peer_up


@dataclass
class Seen:
    """What the dummy projection was given, by node: (via, actor, item ids)."""

    calls: list[tuple[str, Via, str, tuple[str, ...]]] = field(default_factory=list)

    def of(self, node_id: str) -> list[tuple[Via, str, tuple[str, ...]]]:
        return [(via, actor, ids) for n, via, actor, ids in self.calls if n == node_id]


@pytest.fixture
def seen() -> Iterator[Seen]:
    record = Seen()

    def dummy(applying: Applying) -> Sequence[Event]:
        ids = tuple(e.id for e in applying.stored)
        record.calls.append(
            (applying.node.node_id, applying.source.via, applying.source.actor, ids)
        )
        return ()

    with projections.registered(Projection("dummy", 50, dummy)):
        yield record


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def _pull(pair: Pair) -> int:
    """B catches up on A's items."""
    with pair.b.store.read() as conn:
        a_at_b = peers.require_peer(conn, pair.a.node_id)
    return pull.pull_peer(pair.b, a_at_b)


def _officer(pair: Pair) -> Caller:
    member, _ = add_member(pair.a, "officer", Role.OFFICER)
    return Caller(member)


def _shared(pair: Pair) -> NewItem:
    return NewItem("alert", alert_body(), Markings(tlp=TLP.GREEN), audience_nodes=(pair.b.node_id,))


def test_a_projection_applies_to_a_local_item_and_to_the_same_item_received(
    peered: Pair, seen: Seen
) -> None:
    caller = _officer(peered)
    env = publish(peered.a, caller, _shared(peered))
    assert seen.of(peered.a.node_id) == [(Via.LOCAL, f"member:{caller.member.id}", (env.id,))]
    assert Delivery(peered.a).flush(peered.b.node_id) == 1
    assert seen.of(peered.b.node_id) == [(Via.PUSH, f"peer:{peered.a.node_id}", (env.id,))]


def test_an_item_held_already_is_not_projected_again(peered: Pair, seen: Seen) -> None:
    env = publish(peered.a, _officer(peered), _shared(peered))
    assert Delivery(peered.a).flush(peered.b.node_id) == 1
    assert _pull(peered) == 0  # a catch-up that overlaps the push stores nothing
    assert [ids for _, _, ids in seen.of(peered.b.node_id)] == [(env.id,)]


def test_a_pulled_item_is_projected_as_pulled(peered: Pair, seen: Seen) -> None:
    env = publish(peered.a, _officer(peered), _shared(peered))
    with peered.a.store.write() as conn:  # as if every push had failed: B has to catch up
        outbox.defer(conn, peered.b.node_id, 3, 30.0, peered.a.now())
    assert _pull(peered) == 1
    assert seen.of(peered.b.node_id) == [(Via.PULL, f"peer:{peered.a.node_id}", (env.id,))]


def test_the_nodes_own_items_go_through_the_pipeline(peered: Pair, seen: Seen) -> None:
    group = group_ops.create(peered.a, "Aegean desk", "host:test")
    [(via, actor, ids)] = seen.of(peered.a.node_id)
    assert (via, actor) == (Via.LOCAL, f"node:{peered.a.node_id}")
    with peered.a.store.read() as conn:
        (held,) = [item_store.get_item(conn, i) for i in ids]
    assert held is not None and held.envelope.body["group_id"] == group.id


def test_the_nodes_own_items_are_announced_after_the_commit_only(peered: Pair) -> None:
    a = peered.a
    before = a.bus.latest_seq
    group_ops.create(a, "Aegean desk", "host:test")
    assert a.bus.latest_seq == before + 1  # the group item, as the live feeds see it
    with pytest.raises(CsnetError):
        group_ops.add(a, "grp-does-not-exist", peered.b.node_id, "host:test")
    assert a.bus.latest_seq == before + 1


def test_a_kind_needing_an_unregistered_projection_is_refused_unstored(peered: Pair) -> None:
    kinds.register_kind("pipeline_probe", Note, projections=("nobody_registered_this",))
    try:
        news = NewItem("pipeline_probe", {"title": "t", "text": "x", "topic": "modus_operandi"})
        with pytest.raises(LookupError, match="nobody_registered_this"):
            publish(peered.a, _officer(peered), news)
        with peered.a.store.read() as conn:
            assert item_store.list_items(conn, kinds=["pipeline_probe"], limit=5) == []
    finally:
        del kinds.KINDS["pipeline_probe"], kinds.REQUIRED_LINKS["pipeline_probe"]
        del kinds.KIND_PROJECTIONS["pipeline_probe"]


def test_projections_run_in_their_order_and_can_veto_the_batch(peered: Pair) -> None:
    order: list[str] = []

    def first(applying: Applying) -> Sequence[Event]:
        order.append("first")
        return ()

    def veto(applying: Applying) -> Sequence[Event]:
        order.append("veto")
        raise CsnetError("refused by a projection")

    with (
        projections.registered(Projection("probe_first", 1, first)),
        projections.registered(Projection("probe_veto", 95, veto)),
        pytest.raises(CsnetError),
    ):
        publish(peered.a, _officer(peered), _shared(peered))
    assert order == ["first", "veto"]
    with peered.a.store.read() as conn:  # the rows, the audit entry and the outbox row with it
        assert item_store.list_items(conn, kinds=["alert"], limit=5) == []
