"""Push delivery between two in-process nodes: outbox, idempotency, backoff, live events."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from csnet.access import Caller
from csnet.errors import CsnetError
from csnet.federation import delivery as delivery_module
from csnet.federation import framing, handshake, ordering, outbox
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP, Markings
from csnet.items.canonical import canonical_json
from csnet.items.envelope import Envelope
from csnet.items.keys import NodeKey, b64url
from csnet.node import Node
from csnet.publishing import NewItem, publish_many
from csnet.store import item_store
from csnet.store.tables import outbox as outbox_table
from csnet.transport import PeerResponse
from tests.databases import Databases
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair, _node
from tests.federation.test_handshake import invite, peer_up

URL_C = "https://it-gdf.test"


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def post(node: Node, count: int = 1, to: tuple[str, ...] = (), **marks: Any) -> list[Envelope]:
    """Publish `count` alerts on `node` addressed to the given node ids."""
    officer = _officer(node)
    news = [
        NewItem("alert", alert_body(title=f"alert {i}"), Markings(**marks), audience_nodes=to)
        for i in range(count)
    ]
    return publish_many(node, Caller(officer), news)


def _officer(node: Node) -> Any:
    if not hasattr(node, "_test_officer"):
        member, _ = add_member(node, "officer", "officer")
        node._test_officer = member  # type: ignore[attr-defined]
    return node._test_officer  # type: ignore[attr-defined]


def raw_of(node: Node, item_id: str) -> bytes | None:
    with node.store.read() as conn:
        held = item_store.get_item(conn, item_id)
    return None if held is None else held.raw


def queued(node: Node) -> list[tuple[str, str, int]]:
    with node.store.read() as conn:
        rows = conn.execute(outbox_table.select().order_by(outbox_table.c.item_id)).mappings()
        return [(r["peer"], r["item_id"], r["attempts"]) for r in rows]


def resign(unsigned: dict[str, Any], key: NodeKey) -> dict[str, Any]:
    """Seal an arbitrary unsigned wire dict (tests build items the service would refuse)."""
    digest = hashlib.sha256(canonical_json(unsigned)).digest()
    return {**unsigned, "id": digest.hex(), "sig": b64url(key.sign(digest))}


@pytest.fixture
def third(pair: Pair, tmp_path: Path, databases: Databases, bus_url: str) -> Iterator[Node]:
    """Node C, peered with A and B (so it knows A's key), reachable through the same transport."""
    c = _node(tmp_path / "c", databases, "IT-GDF", "IT", pair.clock, bus_url)
    c.settings = c.settings.replace(public_url=URL_C)
    pair.transport.add(URL_C, c)
    c.transport = pair.transport
    for other in (pair.a, pair.b):
        handshake.accept(c, pair.transport, invite(other), "host:test")
    yield c
    c.close()


def test_post_addressed_to_b_arrives_identical_with_live_event(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (env,) = post(a, to=(b.node_id,))
    assert [(p, i) for p, i, _ in queued(a)] == [(b.node_id, env.id)]
    before = b.bus.latest_seq
    assert Delivery(a).flush(b.node_id) == 1
    assert raw_of(b, env.id) == raw_of(a, env.id) == env.to_bytes()
    assert b.bus.latest_seq == before + 1
    assert queued(a) == []


def test_items_not_addressed_to_a_peer_are_not_queued(peered: Pair) -> None:
    post(peered.a)
    assert queued(peered.a) == []


def test_redelivery_is_idempotent(peered: Pair) -> None:
    a, b = peered.a, peered.b
    envs = post(a, 3, to=(b.node_id,))
    Delivery(a).flush(b.node_id)
    with a.store.write() as conn:  # the same items queued again, as after a lost acknowledgement
        outbox.enqueue(conn, a.node_id, envs, a.now())
    before = b.bus.latest_seq
    assert Delivery(a).flush(b.node_id) == 3
    assert b.bus.latest_seq == before  # nothing new stored, nothing announced
    with b.store.read() as conn:
        assert item_store.count_items(conn) == 3


def test_peer_down_backs_off_capped_then_delivers(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (env,) = post(a, to=(b.node_id,))
    client = peered.transport.apps.pop("https://gr-hcg.test")
    delivery = Delivery(a)
    delays = []
    for _ in range(12):
        assert delivery.flush(b.node_id) == 0
        with a.store.read() as conn:
            row = conn.execute(outbox_table.select()).mappings().one()
        delay = row["next_attempt"].replace(tzinfo=None) - a.now().replace(tzinfo=None)
        delays.append(delay.total_seconds())
    assert delays[0] < delays[3] < delays[6]
    assert max(delays) <= 60 and delays[-1] >= 45  # capped, never a cliff
    assert queued(a)[0][2] == 12
    assert a.node_id and raw_of(b, env.id) is None
    peered.transport.apps["https://gr-hcg.test"] = client
    peered.clock.advance(seconds=61)
    with a.store.read() as conn:
        assert outbox.pending_peers(conn, a.now()) == [b.node_id]
    assert delivery.flush_all() == 1
    assert raw_of(b, env.id) == env.to_bytes()


def test_backoff_formula_is_capped() -> None:
    assert outbox.backoff_seconds(0) <= 0.5
    assert all(outbox.backoff_seconds(n) <= 60 for n in range(100))
    assert outbox.backoff_seconds(30) >= 45


def test_batches_are_bounded(peered: Pair) -> None:
    a, b = peered.a, peered.b
    post(a, 620, to=(b.node_id,))
    sizes: list[int] = []
    send = peered.transport.send

    def spy(method: str, url: str, headers: dict[str, str], body: bytes) -> Any:
        if method == "POST" and "/federation/items" in url:
            sizes.append(body.count(b'"kind":"alert"'))
        return send(method, url, headers, body)

    peered.transport.send = spy  # type: ignore[method-assign]
    assert Delivery(a).flush(b.node_id) == 620
    assert sizes and max(sizes) <= 500 and sum(sizes) == 620


def test_runner_pushes_on_commit_and_stops_cleanly(peered: Pair) -> None:
    import time

    a, b = peered.a, peered.b
    delivery = Delivery(a)
    delivery.start(pull_seconds=3600)
    try:
        (env,) = post(a, to=(b.node_id,))
        deadline = time.monotonic() + 10
        while raw_of(b, env.id) is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        delivery.stop()
    assert raw_of(b, env.id) == env.to_bytes()


def test_corrections_and_tombstones_propagate(peered: Pair) -> None:
    a, b = peered.a, peered.b
    (first,) = post(a, to=(b.node_id,))
    officer = _officer(a)
    fixed = publish_many(
        a,
        Caller(officer),
        [
            NewItem(
                "alert", alert_body(title="fixed"), audience_nodes=(b.node_id,), supersedes=first.id
            )
        ],
    )[0]
    Delivery(a).flush(b.node_id)
    with b.store.read() as conn:
        held = item_store.get_item(conn, first.id)
    assert held is not None and held.superseded_by == fixed.id
    erase = NewItem(
        "tombstone",
        {"reason": "recorded in error", "legal_basis": "LED Art 16"},
        audience_nodes=(b.node_id,),
        refers_to=fixed.id,
    )
    (tomb,) = publish_many(a, Caller(officer), [erase])
    Delivery(a).flush(b.node_id)
    assert raw_of(b, fixed.id) is None and raw_of(b, first.id) is None
    assert raw_of(b, tomb.id) == tomb.to_bytes()


def test_no_onward_relay_of_amber_but_clear_travels_signed(peered: Pair, third: Node) -> None:
    a, b, c = peered.a, peered.b, third
    (amber,) = post(a, to=(b.node_id,), tlp=TLP.AMBER)
    (clear,) = post(a, to=(b.node_id,), tlp=TLP.CLEAR)
    Delivery(a).flush(b.node_id)
    assert {p for p, _, _ in queued(b)} == {c.node_id}
    assert [i for _, i, _ in queued(b)] == [clear.id]
    Delivery(b).flush(c.node_id)
    assert raw_of(c, clear.id) == clear.to_bytes()  # the originator's signature intact
    assert raw_of(c, amber.id) is None


def test_new_items_for_a_peer_in_backoff_keep_its_schedule(peered: Pair) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from csnet.store.tables import outbox as outbox_table

    a, b = peered.a, peered.b
    post(a, 1, to=(b.node_id,))
    later = a.now() + timedelta(seconds=40)
    with a.store.write() as conn:
        conn.execute(outbox_table.update().values(attempts=5, next_attempt=later))
    post(a, 1, to=(b.node_id,))
    with a.store.read() as conn:
        rows = list(conn.execute(select(outbox_table.c.attempts)))
        due = outbox.pending_peers(conn, a.now())
    assert [r[0] for r in rows] == [5, 5]
    assert due == []  # no push is triggered towards a peer that is backing off


def test_a_failed_pull_is_retried_on_the_backoff_schedule(
    peered: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = peered.a, peered.b
    (env,) = post(a, to=(b.node_id,))
    with a.store.write() as conn:
        outbox.defer(conn, b.node_id, 2, 30.0, a.now())  # A's pushes to B are failing
    client = peered.transport.apps.pop("https://pk-fia.test")  # and A is down for B
    delivery = Delivery(b)
    assert delivery.pull_all() == 0 and delivery.pull_retries() == 0  # not due yet
    peered.transport.apps["https://pk-fia.test"] = client
    now = time.monotonic()
    monkeypatch.setattr(delivery_module.time, "monotonic", lambda: now + 61)
    assert delivery.pull_retries() == 1  # A is back: caught up without waiting a full period
    assert raw_of(b, env.id) == env.to_bytes()
    assert delivery.pull_retries() == 0  # nothing failing any more


def _pushed_seqs(body: bytes) -> list[int]:
    return [json.loads(raw)["seq"] for raw in framing.split_lines(body) or []]


def _place(url: str) -> tuple[str, int] | None:
    query = parse_qs(urlsplit(url).query)
    return (query["stream"][0], int(query["batch"][0])) if query else None


@pytest.mark.parametrize("pipelined_from", [1, 1000])  # in a window, and one by one
def test_batches_go_in_a_bounded_window_in_seq_order(
    peered: Pair, pipelined_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_module, "PIPELINED_FROM", pipelined_from)
    a, b = peered.a, peered.b
    a.settings = a.settings.replace(max_request_bytes=2500)  # a few alerts a batch
    posted = post(a, 30, to=(b.node_id,))
    sent: list[tuple[tuple[str, int] | None, list[int]]] = []
    in_flight: list[int] = []
    most = [0]
    send = peered.transport.send

    def spy(method: str, url: str, headers: dict[str, str], body: bytes) -> Any:
        if method == "POST" and "/federation/items" in url:
            in_flight.append(1)
            most[0] = max(most[0], len(in_flight))
            sent.append((_place(url), _pushed_seqs(body)))  # one append: threads interleave
            try:
                return send(method, url, headers, body)
            finally:
                in_flight.pop()
        return send(method, url, headers, body)

    peered.transport.send = spy  # type: ignore[method-assign]
    assert Delivery(a).flush(b.node_id) == 30
    places, batches = [p for p, _ in sent], [seqs for _, seqs in sent]
    assert len(batches) > delivery_module.WINDOW
    windowed = pipelined_from == 1
    assert most[0] <= (delivery_module.WINDOW if windowed else 1)
    # each item sent once; the batches numbered in (origin, seq) order within one stream
    # (the POSTs of a window may start in any order)
    assert sorted(seq for batch in batches for seq in batch) == sorted(e.seq for e in posted)
    if windowed:
        assert len({p[0] for p in places if p}) == 1
        numbered = sorted((p[1], batch) for p, batch in zip(places, batches, strict=True) if p)
        assert [n for n, _ in numbered] == list(range(len(batches)))
        in_order = [batch for _, batch in numbered]
    else:
        assert places == [None] * len(batches)
        in_order = batches
    assert [seq for batch in in_order for seq in batch] == sorted(e.seq for e in posted)
    assert queued(a) == []
    assert all(raw_of(b, e.id) == e.to_bytes() for e in posted)


@pytest.mark.parametrize("pipelined_from", [1, 1000])
def test_a_failed_batch_ends_the_run_the_rest_stays_queued_and_arrives_later(
    peered: Pair, pipelined_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_module, "PIPELINED_FROM", pipelined_from)
    monkeypatch.setattr(ordering, "WAIT_SECONDS", 0.3)  # batch 2 waits for the lost batch 1
    a, b = peered.a, peered.b
    a.settings = a.settings.replace(max_request_bytes=2500)
    posted = post(a, 30, to=(b.node_id,))
    sent: list[tuple[int, list[int]]] = []  # (batch number, seqs)
    send = peered.transport.send
    calls, failures = itertools.count(), itertools.count()

    def fail_second(method: str, url: str, headers: dict[str, str], body: bytes) -> Any:
        if method == "POST" and "/federation/items" in url:
            place = _place(url)
            number = next(calls) if place is None else place[1]  # why: POSTs start in any order
            sent.append((number, _pushed_seqs(body)))
            if number == 1 and next(failures) == 0:  # the first run's batch 1 only
                raise CsnetError("peer went away", code="connection_failed")
        return send(method, url, headers, body)

    peered.transport.send = fail_second  # type: ignore[method-assign]
    first = Delivery(a).flush(b.node_id)
    batches = [seqs for _, seqs in sorted(sent)]
    sent.clear()
    assert first == len(batches[0]) > 0
    assert len(batches) == 2 if pipelined_from > 1 else len(batches) >= 2
    held = [e for e in posted if raw_of(b, e.id) is not None]
    assert [e.seq for e in held] == batches[0]  # not the batch after the lost one either
    left = queued(a)
    assert len(left) == 30 - first and all(attempts == 1 for _, _, attempts in left)
    assert Delivery(a).flush(b.node_id) == 30 - first  # nothing lost
    assert queued(a) == [] and all(raw_of(b, e.id) == e.to_bytes() for e in posted)


def test_after_a_batch_refused_for_its_order_the_rest_goes_one_by_one(
    peered: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch 1 is lost on the way; batch 2 waits for it at the peer in vain (409). Both go
    again in the same run, one batch at a time without a place, and nothing backs off."""
    monkeypatch.setattr(delivery_module, "PIPELINED_FROM", 1)
    monkeypatch.setattr(ordering, "WAIT_SECONDS", 0.3)
    a, b = peered.a, peered.b
    a.settings = a.settings.replace(max_request_bytes=2500)
    posted = post(a, 30, to=(b.node_id,))
    places: list[tuple[str, int] | None] = []
    send = peered.transport.send

    calls = itertools.count()

    def lose_the_second(method: str, url: str, headers: dict[str, str], body: bytes) -> Any:
        if method == "POST" and "/federation/items" in url:
            places.append(_place(url))
            if next(calls) == 1:
                error = {"error": {"code": "batch_out_of_order", "message": "lost"}}
                return PeerResponse(409, {}, json.dumps(error).encode())
        return send(method, url, headers, body)

    peered.transport.send = lose_the_second  # type: ignore[method-assign]
    delivery = Delivery(a)
    assert delivery.flush(b.node_id) == 30
    assert b.node_id not in delivery.failed and queued(a) == []
    placed = [p for p in places if p is not None]
    assert sorted(n for _, n in placed) == list(range(len(placed)))  # started in any order
    assert 2 <= len(placed) < len(places)
    assert places[len(placed) :] == [None] * (len(places) - len(placed))
    assert all(raw_of(b, e.id) == e.to_bytes() for e in posted)
