"""The feed projection: facts read from bodies, rows written with the items, and the feed
following corrections and erasure, whichever way the items arrive."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.alerts import actions
from csnet.feed.facts import feed_facts
from csnet.feed.projection import project
from csnet.handling.markings import TLP, Markings
from csnet.items.envelope import Audience, Envelope, ItemDraft
from csnet.items.keys import NodeKey
from csnet.items.signing import seal
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store import item_store
from csnet.store.tables import feed_items, feed_tags
from tests.factories import alert_body

FOREIGN = NodeKey.from_seed(bytes(range(32)))


def rows(conn: Connection) -> dict[str, tuple[Any, ...]]:
    f = feed_items.c
    query = select(f.item_id, f.kind, f.urgency, f.route, f.place)
    return {str(r[0]): tuple(r[1:]) for r in conn.execute(query)}


def tags(conn: Connection) -> set[tuple[str, str]]:
    return {(str(i), str(t)) for i, t in conn.execute(select(feed_tags.c.item_id, feed_tags.c.tag))}


def feed_of(node: Node) -> tuple[dict[str, tuple[Any, ...]], set[tuple[str, str]]]:
    with node.store.read() as conn:
        return rows(conn), tags(conn)


def foreign(node: Node, seq: int, **extra: Any) -> Envelope:
    draft = ItemDraft(
        kind="alert",
        author="m_remote",
        audience=Audience(nodes=(node.node_id,)),
        markings=Markings(tlp=TLP.AMBER),
        body=alert_body(title=f"Remote {seq}"),
        **extra,
    )
    when = datetime(2026, 11, 1, 8, seq, tzinfo=UTC)
    return seal(draft, FOREIGN, origin=FOREIGN.node_id, seq=seq, created=when)


def store(node: Node, envelopes: list[Envelope]) -> None:
    """As receiving stores a batch: the items, then the projection of those stored."""
    with node.store.write() as conn:
        stored = item_store.insert_items(conn, [(e, e.to_bytes()) for e in envelopes], node.now())
        project(conn, stored)


def test_facts_are_folded_and_only_feed_kinds_have_them(node: Node, officer: Member) -> None:
    body = alert_body(tags=["Boat", "boat", "SAR"], route="Central Mediterranean")
    env = publish(node, Caller(officer), NewItem("alert", body))
    facts = feed_facts(env)
    assert facts is not None and facts.tags == {"boat", "sar"}
    assert (facts.urgency, facts.route, facts.place) == (
        "FLASH",
        "central mediterranean",
        "South of Gavdos",
    )
    assert feed_facts(env.model_copy(update={"kind": "group"})) is None


def test_publishing_projects_and_erasure_takes_the_rows_away(node: Node, officer: Member) -> None:
    caller = Caller(officer)
    env = publish(node, caller, NewItem("alert", alert_body(tags=["boat"])))
    found, tagged = feed_of(node)
    assert found == {env.id: ("alert", "FLASH", "central mediterranean", "South of Gavdos")}
    assert tagged == {(env.id, "boat")}
    actions.erase(node, caller, env.id, "entered by mistake", None)
    assert feed_of(node) == ({}, set())


def test_a_correction_replaces_the_version_it_corrects(node: Node, officer: Member) -> None:
    caller = Caller(officer)
    first = publish(node, caller, NewItem("alert", alert_body(urgency="ROUTINE")))
    fixed = actions.correct(node, caller, first.id, NewItem("alert", alert_body(tags=["late"])))
    found, tagged = feed_of(node)
    assert list(found) == [fixed.id] and found[fixed.id][1] == "FLASH"
    assert tagged == {(fixed.id, "late")}


def test_received_out_of_order_the_feed_still_holds_only_current_items(node: Node) -> None:
    target = foreign(node, 1)
    correction = foreign(node, 2, supersedes=target.id)
    store(node, [correction])
    store(node, [target])  # the correction was held first: the target never enters the feed
    assert list(feed_of(node)[0]) == [correction.id]
    doomed = foreign(node, 3)
    tomb_draft = ItemDraft(
        kind="tombstone",
        author="m_remote",
        audience=Audience(nodes=(node.node_id,)),
        markings=Markings(tlp=TLP.AMBER),
        body={"reason": "mistake"},
        refers_to=doomed.id,
    )
    tomb = seal(tomb_draft, FOREIGN, origin=FOREIGN.node_id, seq=4, created=target.created)
    store(node, [tomb, doomed])  # erased on arrival: never stored, never projected
    store(node, [doomed])
    assert list(feed_of(node)[0]) == [correction.id]


def test_projecting_again_changes_nothing(node: Node, officer: Member) -> None:
    env = publish(node, Caller(officer), NewItem("alert", alert_body()))
    before = feed_of(node)
    with node.store.write() as conn:
        project(conn, [env])
    assert feed_of(node) == before
