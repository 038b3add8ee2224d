"""The Node's cached view of groups and active peers against the plain read of the tables: the
same after every kind of write, by this process or another, and never a rolled-back state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, delete, event, insert, update

from csnet.federation import reach
from csnet.federation.delivery import Delivery
from csnet.federation.peers import PeerIdentity, PeerStatus, add_peer, set_status
from csnet.items.keys import NodeKey, node_id_for
from csnet.node import Node
from csnet.store.engine import Store
from csnet.store.tables import group_members, sharing_groups
from tests.federation.conftest import Pair
from tests.federation.test_delivery import post
from tests.federation.test_handshake import peer_up

STAMP = "SELECT stamp FROM view_stamps WHERE name = 'federation'"


@pytest.fixture
def other_process(node: Node) -> Iterator[Store]:
    """Another engine on the node's database: what a CLI command running beside serve holds."""
    other = Store(node.store.url)
    yield other
    other.dispose()


def _identity(country: str) -> PeerIdentity:
    key = NodeKey.generate().public_key
    return PeerIdentity(node_id_for(key), "GR-HCG", country, "agency", "https://x.test", key)


def _add_group(conn: Connection, gid: str, members: list[str], now: datetime) -> None:
    values = {"id": gid, "name": gid, "owner": "o", "created": "c", "version": 1, "updated": now}
    conn.execute(insert(sharing_groups).values(values))
    conn.execute(insert(group_members), [{"group_id": gid, "node_id": n} for n in members])


def _seen(node: Node) -> reach.Reach:
    """The cached view, checked against the plain read in the same transaction."""
    with node.store.read() as conn:
        cached = reach.cached(node.views, conn)
        assert cached == reach.load(conn)
        return cached


def test_the_view_follows_every_write_made_by_another_process(
    node: Node, other_process: Store, now: datetime
) -> None:
    assert _seen(node).targets == ()
    peer = _identity("GR")
    with other_process.write() as conn:
        add_peer(conn, peer, now)
    assert [t.node_id for t in _seen(node).targets] == [peer.node_id]
    with other_process.write() as conn:
        _add_group(conn, "grp-1", [peer.node_id, node.node_id], now)
    assert _seen(node).targets[0].groups == {"grp-1"}
    with other_process.write() as conn:
        mine = group_members.c.node_id == node.node_id
        conn.execute(update(group_members).where(mine).values(node_id="someone-else"))
    assert _seen(node).membership.of(node.node_id) == frozenset()
    with other_process.write() as conn:
        conn.execute(delete(group_members))
    assert _seen(node).membership.groups["grp-1"].members == frozenset()
    with other_process.write() as conn:
        set_status(conn, peer.node_id, PeerStatus.SUSPENDED, now)
    assert _seen(node).targets == ()


def test_an_unchanged_view_is_read_from_the_tables_once(node: Node, now: datetime) -> None:
    with node.store.write() as conn:
        add_peer(conn, _identity("IT"), now)
    loads = node.views.loads
    for _ in range(3):
        _seen(node)
    assert node.views.loads == loads + 1


def test_a_view_cached_inside_a_rolled_back_transaction_is_not_kept(
    node: Node, now: datetime
) -> None:
    """The projection reads the view after the groups projection wrote in the same
    transaction; if that transaction rolls back, the next reader must not see its groups, even
    after a committed transaction made as many writes (a counter would be back where it was)."""
    with pytest.raises(RuntimeError), node.store.write() as conn:
        _add_group(conn, "grp-gone", [node.node_id], now)
        assert "grp-gone" in reach.cached(node.views, conn).membership.groups
        raise RuntimeError("rolled back")
    assert "grp-gone" not in _seen(node).membership.groups
    with pytest.raises(RuntimeError), node.store.write() as conn:
        _add_group(conn, "grp-gone", [node.node_id], now)
        reach.cached(node.views, conn)
        raise RuntimeError("rolled back")
    with node.store.write() as conn:
        _add_group(conn, "grp-kept", [node.node_id], now)
    assert set(_seen(node).membership.groups) == {"grp-kept"}


def test_membership_is_a_copy_a_batch_may_update(node: Node, now: datetime) -> None:
    with node.store.write() as conn:
        _add_group(conn, "grp-1", [node.node_id], now)
    with node.store.read() as conn:
        judged = reach.membership(node.views, conn)
        judged.groups.clear()
        assert set(reach.membership(node.views, conn).groups) == {"grp-1"}


@contextmanager
def _statements(node: Node) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(node.store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(node.store.engine, "before_cursor_execute", record)


def _read_the_view(statements: list[str]) -> list[str]:
    tables = ("FROM peers", "FROM group_members", "FROM sharing_groups")
    return [s for s in statements if any(t in s for t in tables)]


def test_publishing_and_receiving_read_the_view_only_when_it_moved(pair: Pair) -> None:
    """The outbox projection (sender) and the judge of a received batch (receiver) use the
    Node's cached view: once it is loaded, an item costs one stamp read, not the rows."""
    peer_up(pair)
    a, b = pair.a, pair.b
    post(a, to=(b.node_id,))
    Delivery(a).flush(b.node_id)
    with _statements(a) as published:
        post(a, to=(b.node_id,))
    with _statements(b) as received:
        assert Delivery(a).flush(b.node_id) == 1
    assert _read_the_view(published) == []
    assert published.count(STAMP) == 1
    # the receiver still reads its sender's peer row, to check the request (not the view)
    assert [s for s in _read_the_view(received) if "FROM peers" not in s] == []
    assert received.count(STAMP) == 2  # judging the batch, and its outbox projection
