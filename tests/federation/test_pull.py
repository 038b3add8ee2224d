"""Pull by cursor: a node that missed every push catches up, in bounded pages."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from csnet.federation import inbox, peers, pull
from csnet.federation.requests import sign_request
from csnet.node import Node
from csnet.store.tables import items
from tests.federation.conftest import URL_A, Pair
from tests.federation.test_delivery import post
from tests.federation.test_handshake import actions, peer_up


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def digest(node: Node, origin: str) -> str:
    with node.store.read() as conn:
        ids = sorted(conn.execute(select(items.c.id).where(items.c.origin == origin)).scalars())
    return hashlib.sha256("".join(ids).encode()).hexdigest()


def test_catch_up_of_1200_items_in_pages_of_at_most_500(peered: Pair) -> None:
    a, b = peered.a, peered.b
    post(a, 600, to=(b.node_id,))
    post(a, 600, to=(b.node_id,))
    post(a, 30)  # not addressed to B: never served to it
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


def test_pull_serves_only_what_the_peer_may_receive(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (mine,) = post(a)
    (theirs,) = post(a, to=(b.node_id,))
    with a.store.read() as conn:
        b_at_a = peers.require_peer(conn, b.node_id)
    page = pull.serve_page(a, b_at_a, a.node_id, 0, 500)
    assert [w["id"] for w in page.items] == [theirs.id] and page.next == 2 and not page.more
    assert mine.id not in {w["id"] for w in page.items}
    assert actions(a)[-1][1] == "disclosure"


def test_bad_pull_query_is_refused_and_audited(peered: Pair) -> None:
    url = URL_A + "/api/v1/federation/items?origin=nobody&after=-1"
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
