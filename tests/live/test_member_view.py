"""The live feed's cost per event: one read of the item per subscriber, no policy query (the
actor is built once per stream), and the actor rebuilt when a membership item goes by."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from csnet.access import Caller
from csnet.bus import Event
from csnet.federation import group_ops
from csnet.handling.roles import Role
from csnet.live import LiveItem, MemberView
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store.tables import group_members, items
from tests.databases import Databases
from tests.factories import add_member, alert_body, make_node

SUBSCRIBERS = 6


@contextmanager
def statements(node: Node) -> Iterator[list[str]]:
    """Every SQL statement the node's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        seen.append(sql)

    event.listen(node.store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(node.store.engine, "before_cursor_execute", record)


def queries(sql: list[str]) -> list[str]:
    return [s for s in sql if s.lstrip().upper().startswith("SELECT")]


def item_event(node: Node, title: str) -> Event:
    author = add_member(node, f"author-{title}", Role.OFFICER)[0]
    env = publish(node, Caller(author), NewItem("alert", alert_body(title=title)))
    return Event.item(env.id, env.origin, env.kind, env.created)


def test_an_event_costs_each_subscriber_one_read_of_the_item(
    tmp_path: Path, databases: Databases
) -> None:
    node = make_node(tmp_path / "node", databases)
    try:
        members = [add_member(node, f"member{i}", Role.OFFICER)[0] for i in range(SUBSCRIBERS)]
        views = [MemberView(node, m) for m in members]
        warm_up = item_event(node, "warm-up")
        for view in views:  # each stream's first event builds its actor
            view.see(warm_up)
        news = item_event(node, "news")
        with statements(node) as sql:
            seen = [view.see(news) for view in views]
        assert all(isinstance(s, LiveItem) and s.item.envelope.id == news.item_id for s in seen)
        reads = queries(sql)
        assert len(reads) == SUBSCRIBERS
        assert all(items.name in r and group_members.name not in r for r in reads)
    finally:
        node.close()


def test_a_membership_item_rebuilds_the_actor(tmp_path: Path, databases: Databases) -> None:
    node = make_node(tmp_path / "node", databases)
    try:
        view = MemberView(node, add_member(node, "watcher", Role.OFFICER)[0])
        view.see(item_event(node, "first"))
        assert view.reader.actor.groups == frozenset()
        group = group_ops.create(node, "Aegean", "admin:test")
        assert view.reader.actor.groups == frozenset()  # cached for the stream
        announced = Event.item("0" * 64, node.node_id, "group", node.now())
        view.see(announced)  # as receiving announces a stored membership item
        assert view.reader.actor.groups == {group.id}
    finally:
        node.close()
