"""A window of pushed batches is stored in order (csnet/federation/ordering.py): each batch
names its place in the sender's stream; batch n is judged only after n-1 was stored."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from csnet.errors import BadInput, Conflict
from csnet.federation import framing, inbox, ordering, peers
from csnet.federation.ordering import OrderGate, Place, parse_place
from csnet.federation.peers import Peer
from csnet.federation.requests import sign_request
from csnet.items.canonical import canonical_json
from csnet.items.envelope import Envelope
from csnet.node import Node
from tests.federation.conftest import URL_B, Pair
from tests.federation.test_delivery import post, raw_of
from tests.federation.test_handshake import peer_up
from tests.federation.test_key_rotation import forged


@pytest.fixture
def peered(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> Pair:
    monkeypatch.setattr(ordering, "WAIT_SECONDS", 0.5)
    peer_up(pair)
    return pair


def sender_at(node: Node, sender: Node) -> Peer:
    with node.store.read() as conn:
        return peers.require_peer(conn, sender.node_id)


def framed(*items: Envelope | dict[str, Any]) -> bytes:
    return framing.join_lines(
        [canonical_json(i) if isinstance(i, dict) else i.to_bytes() for i in items]
    )


def test_batch_1_arriving_before_batch_0_is_judged_and_stored_after_it(
    peered: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch 0 holds A's item under seq s, batch 1 a different item under the same seq (a
    stolen key) and A's next item: whichever is judged first takes the seq, so the order of
    judging shows. Batch 1 reaches the receiver first."""
    a, b = peered.a, peered.b
    first, second = post(a, 2, to=(b.node_id,))
    clash = forged(first, a.key, first.seq, "Under a stolen seq")
    sender = sender_at(b, a)
    receipts: dict[int, inbox.Receipt] = {}
    stored: list[str | None] = []
    store = inbox.store

    def recording_store(
        node: Node, peer: Peer, prepared: Any, cursor: Any = None, nonce: Any = None
    ) -> Any:
        stored.append(prepared.claimed[0])
        return store(node, peer, prepared, cursor, nonce)

    def receive(number: int, body: bytes) -> None:
        receipts[number] = inbox.receive_batch(b, sender, body, Place("stream-1", number))

    monkeypatch.setattr(inbox, "store", recording_store)
    later = threading.Thread(target=receive, args=(1, framed(clash, second)))
    later.start()
    time.sleep(0.1)  # why: batch 1 reaches the gate first (the test holds either way)
    receive(0, framed(first))
    later.join()
    assert stored == [first.id, clash["id"]]
    assert receipts[0].accepted == [first.id] and receipts[1].accepted == [second.id]
    assert [(r.index, r.code) for r in receipts[1].refused] == [(0, "seq_conflict")]
    assert raw_of(b, first.id) == first.to_bytes() and raw_of(b, clash["id"]) is None
    assert raw_of(b, second.id) == second.to_bytes()


def test_a_batch_whose_predecessor_never_comes_is_409_and_stores_nothing(
    peered: Pair,
) -> None:
    a, b = peered.a, peered.b
    (env,) = post(a, to=(b.node_id,))
    with pytest.raises(Conflict) as raised:
        inbox.receive_batch(b, sender_at(b, a), framed(env), Place("stream-2", 1))
    assert raised.value.error_code == "batch_out_of_order"
    assert raw_of(b, env.id) is None


def test_after_a_batch_refused_as_a_whole_the_next_is_409_at_once(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (env,) = post(a, to=(b.node_id,))
    sender = sender_at(b, a)
    with pytest.raises(BadInput):
        inbox.receive_batch(b, sender, b"not a batch", Place("stream-6", 0))
    with pytest.raises(Conflict):
        inbox.receive_batch(b, sender, framed(env), Place("stream-6", 1))
    assert raw_of(b, env.id) is None


def test_the_place_travels_in_the_signed_target_and_bad_ones_are_422(peered: Pair) -> None:
    a, b = peered.a, peered.b
    transport = peered.transport
    (env,) = post(a, to=(b.node_id,))
    body = framed(env)
    answers = [_push(peered, body, query) for query in ("?stream=x&batch=0", "?batch=0")]
    assert [(r.status, json.loads(r.body)["error"]["code"]) for r in answers] == [
        (422, "bad_batch_place"),
        (422, "bad_batch_place"),
    ]
    ok = _push(peered, body, "?stream=stream-ok&batch=0")
    assert ok.status == 200 and json.loads(ok.body)["accepted"] == [env.id]
    assert transport.sent[-1][1].endswith("?stream=stream-ok&batch=0")


def _push(pair: Pair, body: bytes, query: str) -> Any:
    url = URL_B + "/api/v1/federation/items" + query
    headers = sign_request(
        pair.a.key,
        origin=pair.a.node_id,
        destination=pair.b.node_id,
        method="POST",
        url=url,
        body=body,
        now=pair.clock(),
    )
    return pair.transport.send("POST", url, headers, body)


def test_the_gate_keeps_few_streams_and_few_waiters() -> None:
    gate = OrderGate(wait_seconds=0.05)
    for number in range(ordering.STREAMS_PER_PEER + 2):
        with gate.turn("peer", Place(f"stream-{number:03}", 0)):
            pass
    assert len(gate._streams["peer"]) == ordering.STREAMS_PER_PEER
    forgotten = Place("stream-000", 1)  # the oldest stream: its batch 1 waits in vain
    passed = Place("stream-005", 0)  # a number already passed is never applied again
    for place in (forgotten, passed):
        with pytest.raises(Conflict), gate.turn("peer", place):
            pass


def test_parse_place() -> None:
    assert parse_place(None, None) is None
    assert parse_place("abcdefgh", "7") == Place("abcdefgh", 7)
    for stream, number in (
        ("abcdefgh", None),
        ("short", "1"),
        ("abcdefgh", "-1"),
        ("abcdefgh", "²"),
    ):
        with pytest.raises(BadInput):
            parse_place(stream, number)
