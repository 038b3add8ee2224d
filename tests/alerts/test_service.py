"""The item service with policy: items from other nodes are shown only as markings allow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection

from csnet import access
from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.audit import verify
from csnet.errors import BadInput, Forbidden, NotFound
from csnet.feed import projection
from csnet.feed.engine import read_page
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.items.envelope import Audience, Envelope, ItemDraft
from csnet.items.keys import NodeKey
from csnet.items.signing import seal
from csnet.node import Node
from csnet.publishing import NewItem, publish, publish_many
from csnet.reading import get_visible, thread
from csnet.store import item_store
from tests.factories import add_member, alert_body

FOREIGN = NodeKey.from_seed(bytes(range(32)))


@pytest.fixture
def officer(node: Node) -> Member:
    return add_member(node, "officer", Role.OFFICER)[0]


def receive(
    node: Node,
    *,
    tlp: TLP,
    nodes: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    seq: int = 1,
    subjects: tuple[str, ...] = (),
) -> Envelope:
    """Store an item sealed by another node, as federation will."""
    body = alert_body()
    if subjects:
        body["persons"] = [{"name": "Farid", "category": subjects[0]}]
    draft = ItemDraft(
        kind="alert",
        author="m_remote",
        audience=Audience(nodes=nodes, groups=groups),
        markings=Markings(tlp=tlp, subjects=subjects),
        body=body,
    )
    env = seal(
        draft,
        FOREIGN,
        origin=FOREIGN.node_id,
        seq=seq,
        created=datetime(2026, 11, 1, 8, seq % 60, tzinfo=UTC),
    )
    with node.store.write() as conn:
        item_store.insert_items(conn, [(env, env.to_bytes())], node.now())
        projection.project(conn, [env])  # as receiving does
    return env


def titles(node: Node, member: Member) -> list[str]:
    return [e.item.envelope.id for e in read_page(node, Caller(member), kinds=("alert",)).entries]


def test_items_addressed_to_us_are_visible(node: Node, officer: Member) -> None:
    env = receive(node, tlp=TLP.AMBER, nodes=(node.node_id,))
    assert titles(node, officer) == [env.id]
    assert get_visible(node, Caller(officer), env.id).envelope == env


@pytest.mark.parametrize("tlp", [TLP.RED, TLP.AMBER_STRICT, TLP.AMBER, TLP.GREEN])
def test_items_not_addressed_to_us_stay_hidden(node: Node, officer: Member, tlp: TLP) -> None:
    env = receive(node, tlp=tlp, nodes=("csnaaaaaaaaaaaaaaaaaaaaaaaa",))
    assert titles(node, officer) == []
    with pytest.raises(NotFound):
        get_visible(node, Caller(officer), env.id)


def test_red_needs_our_node_named_not_a_group(node: Node, officer: Member) -> None:
    receive(node, tlp=TLP.RED, groups=("eastern-med",))
    assert titles(node, officer) == []


def test_clear_is_visible_to_all(node: Node, officer: Member) -> None:
    env = receive(node, tlp=TLP.CLEAR, nodes=("csnaaaaaaaaaaaaaaaaaaaaaaaa",))
    assert titles(node, officer) == [env.id]


def test_personal_data_consultation_is_audited_with_justification(
    node: Node, officer: Member
) -> None:
    env = receive(node, tlp=TLP.AMBER, nodes=(node.node_id,), subjects=("suspect",))
    with pytest.raises(Forbidden):
        get_visible(node, Caller(officer), env.id)
    get_visible(node, Caller(officer, "joint investigation 2026/7"), env.id)
    with node.store.read() as conn:
        from csnet.audit import AuditFilter, list_entries

        rows = list_entries(conn, AuditFilter(item_id=env.id))
        assert verify(conn).ok
    assert rows[0]["action"] == "consultation"
    assert rows[0]["justification"] == "joint investigation 2026/7"


def test_admin_never_sees_personal_data(node: Node) -> None:
    admin = add_member(node, "root", Role.ADMIN)[0]
    receive(node, tlp=TLP.AMBER, nodes=(node.node_id,), subjects=("victim",))
    assert read_page(node, Caller(admin, "curious"), kinds=("alert",)).entries == []


def test_batch_is_all_or_nothing(node: Node, officer: Member) -> None:
    good = NewItem("alert", alert_body())
    bad = NewItem("alert", alert_body(urgency="WHENEVER"))
    with pytest.raises(BadInput):
        publish_many(node, Caller(officer), [good, bad])
    assert titles(node, officer) == []


def test_sequence_numbers_are_dense_and_ordered(node: Node, officer: Member) -> None:
    envs = publish_many(node, Caller(officer), [NewItem("alert", alert_body())] * 3)
    envs.append(publish(node, Caller(officer), NewItem("alert", alert_body())))
    assert [e.seq for e in envs] == [1, 2, 3, 4]


def test_every_write_is_audited_and_the_chain_verifies(node: Node, officer: Member) -> None:
    env = publish(node, Caller(officer), NewItem("alert", alert_body()))
    with node.store.read() as conn:
        from csnet.audit import AuditFilter, list_entries

        rows = list_entries(conn, AuditFilter(item_id=env.id))
        assert verify(conn).ok
    assert [r["action"] for r in rows] == ["collection"]
    assert rows[0]["recipients"] == [f"node:{node.node_id}"]


def test_a_reply_is_checked_inside_the_publish_transaction_without_a_second_connection(
    node: Node, officer: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the member may read what they reply to is asked in the publishing transaction."""
    parent = publish(node, Caller(officer), NewItem("alert", alert_body()))
    write, read = node.store.write, node.store.read
    writing: list[bool] = []
    reads_while_writing: list[bool] = []

    @contextmanager
    def tracked_write() -> Iterator[Connection]:
        with write() as conn:
            writing.append(True)
            try:
                yield conn
            finally:
                writing.pop()

    @contextmanager
    def tracked_read() -> Iterator[Connection]:
        reads_while_writing.append(bool(writing))
        with read() as conn:
            yield conn

    monkeypatch.setattr(node.store, "write", tracked_write)
    monkeypatch.setattr(node.store, "read", tracked_read)
    reply = publish(
        node, Caller(officer), NewItem("reply", {"text": "Seen at the port"}, replies_to=parent.id)
    )
    assert reply.replies_to == parent.id
    assert True not in reads_while_writing


def test_the_feed_and_a_thread_read_the_nodes_groups_once_whatever_their_length(
    node: Node, officer: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = Caller(officer)
    parent = publish(node, caller, NewItem("alert", alert_body()))
    for n in range(5):
        publish(node, caller, NewItem("alert", alert_body(title=f"Boat {n}")))
        publish(node, caller, NewItem("reply", {"text": f"Seen {n}"}, replies_to=parent.id))
    calls: list[str] = []
    counted = access.groups_of

    def groups_of(conn: Connection, node_id: str) -> frozenset[str]:
        calls.append(node_id)
        return counted(conn, node_id)

    monkeypatch.setattr(access, "groups_of", groups_of)
    page = read_page(node, caller, kinds=("alert",))
    assert len(page.entries) == 6 and len(calls) == 1
    calls.clear()
    replies, _acks = thread(node, caller, parent.id)
    assert len(replies) == 5 and len(calls) == 1
