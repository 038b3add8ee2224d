"""Pull of third-party origins: a node learns from a peer which other origins it holds items of
that may be passed on, and pulls them through it, each checked under the origin's own key."""

from __future__ import annotations

import logging

import pytest

from csnet.federation import inbox, pull
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP
from csnet.items.envelope import Envelope
from csnet.node import Node
from tests.federation import test_consent
from tests.federation.conftest import URL_A, Pair
from tests.federation.test_consent import AddNode, peer_at
from tests.federation.test_delivery import post, queued, raw_of
from tests.federation.test_handshake import actions, peer_up

add_node = test_consent.add_node  # the fixture: more nodes on the pair's transport


def offline(pair: Pair, url: str) -> object:
    return pair.transport.apps.pop(url)


def listed(node: Node, asking: Node) -> list[dict[str, object]]:
    return pull.list_origins(node, peer_at(node, asking))


def publish_while_a_is_offline(pair: Pair, c: Node, tlp: TLP) -> Envelope:
    """C publishes to A and B; A is unreachable, so only B gets it."""
    app_a = offline(pair, URL_A)
    (env,) = post(c, to=(pair.a.node_id, pair.b.node_id), tlp=tlp)
    Delivery(c).flush_all()
    pair.transport.apps[URL_A] = app_a  # type: ignore[assignment]
    assert raw_of(pair.b, env.id) == env.to_bytes() and raw_of(pair.a, env.id) is None
    return env


def test_a_pulls_a_third_nodes_clear_item_through_b(pair: Pair, add_node: AddNode) -> None:
    a, b = pair.a, pair.b
    c = add_node("IT-GDF", "IT", (a, b))  # C peered with A and B; A and B not yet
    (early_amber,) = post(c, to=(b.node_id,), tlp=TLP.AMBER)
    Delivery(c).flush_all()
    clear = publish_while_a_is_offline(pair, c, TLP.CLEAR)
    (amber,) = post(c, to=(b.node_id,), tlp=TLP.AMBER)
    Delivery(c).flush_all()
    peer_up(pair)  # A peers with B later: B never queued C's items for it
    assert not [row for row in queued(b) if row[0] == a.node_id]
    assert listed(b, a) == [{"origin": c.node_id, "seq": clear.seq}]  # not an AMBER seq
    page = pull.serve_page(b, peer_at(b, a), c.node_id, 0, 500)
    assert [w["id"] for w in page.items] == [clear.id]
    assert pull.pull_peer(a, peer_at(a, b)) == 1
    assert raw_of(a, clear.id) == clear.to_bytes()  # C's signature intact, through B
    assert raw_of(a, amber.id) is None and raw_of(a, early_amber.id) is None
    with a.store.read() as conn:
        assert inbox.cursor_of(conn, b.node_id, c.node_id) == amber.seq
    assert pull.pull_peer(a, peer_at(a, b)) == 0  # listed at the cursor: nothing asked again
    asked = [url for _m, url, _h, _b in pair.transport.sent if f"origin={c.node_id}" in url]
    assert len(asked) == 1


def test_amber_only_origin_is_never_listed(pair: Pair, add_node: AddNode) -> None:
    a, b = pair.a, pair.b
    c = add_node("IT-GDF", "IT", (a, b))
    (amber,) = post(c, to=(a.node_id, b.node_id), tlp=TLP.AMBER)
    Delivery(c).flush(b.node_id)
    peer_up(pair)
    assert listed(b, a) == []
    assert pull.serve_page(b, peer_at(b, a), c.node_id, 0, 500).items == []
    pull.pull_peer(a, peer_at(a, b))
    assert raw_of(a, amber.id) is None


def test_origin_with_unknown_key_is_skipped_and_logged(
    pair: Pair, add_node: AddNode, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair.a, pair.b
    d = add_node("TR-CG", "TR", (b,))  # D is peered with B only: A cannot check its signature
    (clear,) = post(d, to=(b.node_id,), tlp=TLP.CLEAR)
    Delivery(d).flush_all()
    peer_up(pair)
    assert listed(b, a) == [{"origin": d.node_id, "seq": clear.seq}]
    with caplog.at_level(logging.INFO, logger="csnet.federation.pull"):
        assert pull.pull_peer(a, peer_at(a, b)) == 0
        assert pull.pull_peer(a, peer_at(a, b)) == 0
    assert sum("its key is unknown here" in r.getMessage() for r in caplog.records) == 2
    assert not [url for _m, url, _h, _b in pair.transport.sent if f"origin={d.node_id}" in url]
    with a.store.read() as conn:
        assert inbox.cursor_of(conn, b.node_id, d.node_id) == 0  # nothing skipped past
    assert not [d for _, act, d in actions(a) if act == "peer_refused"]


def test_origins_listing_is_a_signed_request(pair: Pair) -> None:
    peer_up(pair)
    answer = pair.transport.send("GET", URL_A + "/api/v1/federation/origins", {}, b"")
    assert answer.status == 401
    assert actions(pair.a)[-1][2]["code"] == "unknown_peer"


def test_a_malformed_listing_fails_the_pull(pair: Pair) -> None:
    from csnet.errors import CsnetError

    for data in ({}, {"origins": [{"origin": "x", "seq": 1}]}, {"origins": [{"seq": 0}]}):
        with pytest.raises(CsnetError) as caught:
            pull._listing(data)
        assert caught.value.error_code == "bad_peer_response"
    assert pull._listing({"origins": [{"origin": pair.a.node_id, "seq": 3}]}) == {pair.a.node_id: 3}
