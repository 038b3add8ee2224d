"""Pull by cursor: a node that missed every push catches up, in bounded pages."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from csnet.errors import CsnetError
from csnet.federation import inbox, outbox, peers, pull
from csnet.federation.requests import sign_request
from csnet.node import Node
from csnet.store.tables import items
from csnet.store.tables import outbox as outbox_table
from tests.federation.conftest import URL_A, Pair
from tests.federation.test_delivery import post
from tests.federation.test_handshake import actions, peer_up


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def push_failed(node: Node, peer_id: str) -> None:
    """As if every push from `node` to the peer had failed: its rows are in backoff."""
    with node.store.write() as conn:
        outbox.defer(conn, peer_id, 3, 30.0, node.now())


def queued_for(node: Node, peer_id: str) -> int:
    with node.store.read() as conn:
        rows = conn.execute(select(outbox_table.c.attempts).where(outbox_table.c.peer == peer_id))
        return len(rows.all())


def digest(node: Node, origin: str) -> str:
    with node.store.read() as conn:
        ids = sorted(conn.execute(select(items.c.id).where(items.c.origin == origin)).scalars())
    return hashlib.sha256("".join(ids).encode()).hexdigest()


def test_catch_up_of_1200_items_in_pages_of_at_most_500(peered: Pair) -> None:
    a, b = peered.a, peered.b
    post(a, 600, to=(b.node_id,))
    post(a, 600, to=(b.node_id,))
    post(a, 30)  # not addressed to B: never served to it
    push_failed(a, b.node_id)
    with b.store.read() as conn:
        a_at_b = peers.require_peer(conn, a.node_id)
    assert pull.pull_peer(b, a_at_b) == 1200
    gets = [url for m, url, _h, _b in peered.transport.sent if "/federation/items?" in url]
    assert len(gets) == 3 and all("limit=500" in url for url in gets)
    with b.store.read() as conn:
        ids = set(conn.execute(select(items.c.id)).scalars())
        cursor = inbox.cursor_of(conn, a.node_id, a.node_id)
    with a.store.read() as conn:
        wanted = set(conn.execute(select(items.c.id).where(items.c.seq <= 1200)).scalars())
    assert ids == wanted and cursor == 1230
    assert digest(b, a.node_id) == hashlib.sha256("".join(sorted(wanted)).encode()).hexdigest()
    assert pull.pull_peer(b, a_at_b) == 0  # the cursor remembers; nothing is fetched twice
    assert queued_for(a, b.node_id) == 0  # delivered by pull: push will not send them again


def test_pull_leaves_queued_items_to_a_working_push(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (first,) = post(a, to=(b.node_id,))
    with a.store.write() as conn:
        outbox.remove(conn, b.node_id, [first.id])  # as if pushed already
    post(a, 3, to=(b.node_id,))
    with a.store.read() as conn:
        b_at_a = peers.require_peer(conn, b.node_id)
    page = pull.serve_page(a, b_at_a, a.node_id, 0, 500)
    # why: the other three are on their way by push; serving them too would send them twice
    assert [w["id"] for w in page.items] == [first.id] and page.next == 1 and not page.more
    assert queued_for(a, b.node_id) == 3


def test_pull_while_push_fails_serves_all_and_ends_the_backoff(peered: Pair) -> None:
    a, b = peered.a, peered.b
    sent = post(a, 3, to=(b.node_id,))
    push_failed(a, b.node_id)
    with a.store.read() as conn:
        b_at_a = peers.require_peer(conn, b.node_id)
    page = pull.serve_page(a, b_at_a, a.node_id, 0, 500)
    assert [w["id"] for w in page.items] == [e.id for e in sent] and not page.more
    assert queued_for(a, b.node_id) == 0
    post(a, to=(b.node_id,))
    with a.store.read() as conn:
        state = conn.execute(select(outbox_table.c.attempts, outbox_table.c.next_attempt)).one()
    assert state.attempts == 0  # the peer was heard from: the next push goes at once


def test_pull_serves_only_what_the_peer_may_receive(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (mine,) = post(a)
    (theirs,) = post(a, to=(b.node_id,))
    push_failed(a, b.node_id)
    with a.store.read() as conn:
        b_at_a = peers.require_peer(conn, b.node_id)
    page = pull.serve_page(a, b_at_a, a.node_id, 0, 500)
    assert [w["id"] for w in page.items] == [theirs.id] and page.next == 2 and not page.more
    assert mine.id not in {w["id"] for w in page.items}
    assert actions(a)[-1][1] == "disclosure"


@pytest.mark.parametrize(
    "query",
    [
        "origin=nobody&after=-1",
        "origin={a}&after=" + "9" * 40,
        "origin={a}&after=9223372036854775808",
    ],
)
def test_bad_pull_query_is_refused_and_audited(peered: Pair, query: str) -> None:
    url = URL_A + "/api/v1/federation/items?" + query.format(a=peered.a.node_id)
    headers = sign_request(
        peered.b.key,
        origin=peered.b.node_id,
        destination=peered.a.node_id,
        method="GET",
        url=url,
        body=b"",
        now=peered.clock(),
    )
    answer = peered.transport.send("GET", url, headers, b"")
    assert answer.status == 422 and answer.json()["error"]["code"] == "bad_pull_query"
    assert actions(peered.a)[-1][2]["code"] == "bad_pull_query"


def test_unsigned_pull_is_refused(peered: Pair) -> None:
    url = URL_A + f"/api/v1/federation/items?origin={peered.a.node_id}"
    answer = peered.transport.send("GET", url, {}, b"")
    assert answer.status == 401


def test_a_failing_prefetched_page_leaves_the_page_before_stored_and_the_cursor_right(
    peered: Pair,
) -> None:
    """Page 2 is fetched while page 1 is stored; its failure raises only after page 1 and its
    cursor were written, and the next pull goes on from there."""
    a, b = peered.a, peered.b
    post(a, 600, to=(b.node_id,))
    push_failed(a, b.node_id)
    send = peered.transport.send
    gets: list[str] = []

    def fail_page_two(method: str, url: str, headers: dict[str, str], body: bytes) -> Any:
        if "/federation/items?" in url:
            gets.append(url)
            if len(gets) == 2:
                raise CsnetError("peer went away", code="connection_failed")
        return send(method, url, headers, body)

    peered.transport.send = fail_page_two  # type: ignore[method-assign]
    with b.store.read() as conn:
        a_at_b = peers.require_peer(conn, a.node_id)
    with pytest.raises(CsnetError):
        pull.pull_origin(b, a_at_b, a.node_id)
    with b.store.read() as conn:
        query = select(items.c.seq).where(items.c.origin == a.node_id)
        held = sorted(conn.execute(query).scalars())
        cursor = inbox.cursor_of(conn, a.node_id, a.node_id)
    assert held == list(range(1, 501)) and cursor == 500
    assert "after=500&" in gets[1]  # page 2 was asked from page 1's `next`
    peered.transport.send = send  # type: ignore[method-assign]
    assert pull.pull_origin(b, a_at_b, a.node_id) == 100
    with b.store.read() as conn:
        assert inbox.cursor_of(conn, a.node_id, a.node_id) == 600
