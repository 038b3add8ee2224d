"""Retired keys: after A rotates, an item of origin A verifies under A's old key only if its seq
is at most the `last_seq` A announced in the rotation, whoever relays it; and every process of
a node signs with the new key from the moment the rotation commits, without a restart."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from csnet.errors import CsnetError
from csnet.federation import outbox, peers, pull, rotation
from csnet.federation.client import call_peer
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP
from csnet.items.envelope import Envelope
from csnet.items.keys import KeyHistory, NodeKey, key_fingerprint
from csnet.items.signing import verify_envelope
from csnet.node import Node, open_node
from csnet.store import item_store
from csnet.store.engine import sqlite_url
from tests.federation.conftest import URL_B, Pair
from tests.federation.test_consent import AddNode, add_node, peer_at
from tests.federation.test_delivery import post, raw_of, resign
from tests.federation.test_handshake import actions, peer_up

__all__ = ["add_node"]  # the fixture, used by name


def forged(template: Envelope, key: NodeKey, seq: int, title: str) -> dict[str, Any]:
    """`template` with a new seq, creation time and title, sealed with `key` (the stolen one)."""
    wire: dict[str, Any] = json.loads(template.to_bytes())
    unsigned = {k: v for k, v in wire.items() if k not in ("id", "sig")}
    unsigned["seq"] = seq
    unsigned["body"] = {**unsigned["body"], "title": title}
    return resign(unsigned, key)


def relay_to(sender: Node, receiver: Node, *wires: Any) -> dict[str, Any]:
    """`sender` pushes items to `receiver` under its own valid request signature."""
    answer = call_peer(
        sender, peer_at(sender, receiver), "POST", "/federation/items", {"items": wires}
    )
    result: dict[str, Any] = answer.json()
    return result


def offline_b(pair: Pair) -> Any:
    return pair.transport.apps.pop(URL_B)


@pytest.fixture
def net(pair: Pair, add_node: AddNode) -> tuple[Node, Node, Node]:
    """A, B and C, each peered with the others."""
    peer_up(pair)
    c = add_node("IT-GDF", "IT", (pair.a, pair.b))
    return pair.a, pair.b, c


def test_old_key_item_after_rotation_is_refused_through_a_relay(
    pair: Pair, net: tuple[Node, Node, Node]
) -> None:
    a, b, c = net
    (before,) = post(a, to=(b.node_id, c.node_id), tlp=TLP.CLEAR)
    app_b = offline_b(pair)
    Delivery(a).flush(c.node_id)  # C holds it; B does not yet
    pair.transport.apps[URL_B] = app_b
    old_key = a.key
    rotation.rotate_own_key(a, "host:test")
    assert a.key.public_key != old_key.public_key

    stolen = forged(before, old_key, before.seq + 1, "Forged with the retired key")
    answer = relay_to(c, b, stolen)
    assert answer["accepted"] == []
    assert [r["code"] for r in answer["refused"]] == ["retired_key"]
    refusal = actions(b)[-1]
    assert refusal[1] == "peer_refused" and refusal[2]["code"] == "retired_key"
    assert raw_of(b, stolen["id"]) is None

    # An item sealed before the rotation (seq <= the announced last_seq) still verifies.
    assert relay_to(c, b, json.loads(before.to_bytes()))["accepted"] == [before.id]
    assert raw_of(b, before.id) == before.to_bytes()


def test_items_sealed_before_the_rotation_still_verify_by_pull(
    pair: Pair, net: tuple[Node, Node, Node]
) -> None:
    a, b, c = net
    (before,) = post(a, to=(b.node_id, c.node_id), tlp=TLP.CLEAR)
    app_b = offline_b(pair)
    Delivery(a).flush(c.node_id)
    pair.transport.apps[URL_B] = app_b
    old_key = a.key
    rotation.rotate_own_key(a, "host:test")
    # C was compromised too: it holds an old-key item with a fresh seq, which B pulls from it.
    stolen = forged(before, old_key, before.seq + 1, "Planted at the relay")
    env = Envelope.model_validate(stolen)
    with c.store.write() as conn:
        item_store.insert_items(conn, [(env, env.to_bytes())], c.now())
        outbox.remove(conn, b.node_id, [before.id])  # why: queued for push, it is not served
    assert pull.pull_origin(b, peer_at(b, c), a.node_id) == 1
    assert raw_of(b, before.id) == before.to_bytes()
    assert raw_of(b, env.id) is None
    refused = [d for _, act, d in actions(b) if act == "peer_refused"]
    assert [d["code"] for d in refused] == ["retired_key"]


def test_items_sealed_after_the_rotation_verify_under_the_new_key_only(
    pair: Pair, net: tuple[Node, Node, Node]
) -> None:
    a, b, c = net
    (before,) = post(a, to=(b.node_id, c.node_id), tlp=TLP.CLEAR)
    old_key = a.key
    rotation.rotate_own_key(a, "host:test")
    (after,) = post(a, to=(b.node_id, c.node_id), tlp=TLP.CLEAR)
    assert after.seq == before.seq + 1
    Delivery(a).flush_all()
    assert raw_of(b, before.id) == before.to_bytes()  # sealed before, pushed after: accepted
    assert raw_of(b, after.id) == after.to_bytes()
    with b.store.read() as conn:
        history = peers.key_history(conn, a.node_id)
    assert history == KeyHistory(a.key.public_key, ((old_key.public_key, before.seq),))
    assert history.keys_for(before.seq) == [a.key.public_key, old_key.public_key]
    assert history.keys_for(after.seq) == [a.key.public_key]


def test_rotation_announces_the_last_seq_sealed_under_the_old_key(pair: Pair) -> None:
    peer_up(pair)
    post(pair.a, 3, to=(pair.b.node_id,))
    payload = rotation.announcement(pair.a, NodeKey.generate(), last_seq=3)
    assert payload["announcement"]["last_seq"] == 3
    del payload["announcement"]["last_seq"]
    with pytest.raises(Exception) as caught:
        call_peer(pair.a, peer_at(pair.a, pair.b), "POST", rotation.PATH, payload)
    assert getattr(caught.value, "error_code", None) == "bad_rotation"
    deliveries = rotation.rotate_own_key(pair.a, "host:test")
    assert deliveries == [rotation.Delivery(pair.b.node_id, None)]
    changed = [d for _, act, d in actions(pair.a) if d.get("change") == "own key rotated"]
    assert changed[-1]["last_seq"] == 3


def test_every_node_object_of_a_data_dir_switches_keys(pair: Pair) -> None:
    """Two more processes' worth of Node objects on A's data directory and database: a
    rotation through one of them reaches the others at their next signature."""
    peer_up(pair)
    worker = pair.a  # the serving process, say
    cli = open_node(pair.a.settings, pair.clock)
    other = open_node(pair.a.settings, pair.clock)
    cli.transport = other.transport = pair.transport
    try:
        old = worker.key.public_key
        assert rotation.rotate_own_key(cli, "host:test") == [
            rotation.Delivery(pair.b.node_id, None)
        ]
        new = cli.key.public_key
        assert new != old
        # The serving worker answers with the new key's fingerprint, seals under the new key,
        # and its signed requests pass at B.
        answer = call_peer(pair.b, peer_at(pair.b, worker), "GET", "/federation/ping").json()
        assert answer["fingerprint"] == key_fingerprint(new)
        (env,) = post(worker, to=(pair.b.node_id,))
        assert worker.key.public_key == new
        assert verify_envelope(env.to_bytes(), lambda _o: new) == env
        assert Delivery(worker).flush_all() == 1
        assert raw_of(pair.b, env.id) == env.to_bytes()
        ping = call_peer(other, peer_at(other, pair.b), "GET", "/federation/ping")
        assert ping.status == 200 and other.key.public_key == new
    finally:
        cli.close()
        other.close()


def test_no_item_is_sealed_with_the_old_key_after_the_announced_seq(pair: Pair) -> None:
    """Sealing on one Node object while another rotates: every item up to the announced
    last_seq carries the old key's signature, every later one the new key's."""
    peer_up(pair)
    cli = open_node(pair.a.settings, pair.clock)
    cli.transport = pair.transport
    old = pair.a.key.public_key
    sealed: list[Envelope] = []

    def publish() -> None:
        for _ in range(40):
            sealed.extend(post(pair.a, to=(pair.b.node_id,)))

    worker = threading.Thread(target=publish)
    try:
        worker.start()
        rotation.rotate_own_key(cli, "host:test")
        new = cli.key.public_key
        worker.join()
    finally:
        cli.close()
    sealed.extend(post(pair.a, to=(pair.b.node_id,)))  # at least one after the rotation
    with pair.b.store.read() as conn:
        history = peers.key_history(conn, pair.a.node_id)
    assert history is not None and history.current == new
    ((retired, last_seq),) = history.retired
    assert retired == old
    for env in sealed:
        signer = old if env.seq <= last_seq else new
        assert verify_envelope(env.to_bytes(), lambda _o, k=signer: k) == env


def test_a_worker_on_a_copy_without_the_new_key_refuses_to_seal(pair: Pair, tmp_path: Path) -> None:
    """Workers on copies of the data directory (one database): until the new node.key is copied
    to a worker, it seals nothing, rather than seal under the retired key."""
    peer_up(pair)
    copy = tmp_path / "a-copy"
    shutil.copytree(pair.a.settings.data_path, copy, ignore=shutil.ignore_patterns("csnet.db*"))
    url = str(pair.a.settings.database_url) or sqlite_url(pair.a.settings.data_path)
    worker = open_node(pair.a.settings.replace(data_dir=str(copy), database_url=url), pair.clock)
    try:
        post(worker, to=(pair.b.node_id,))
        rotation.rotate_own_key(pair.a, "host:test")
        with worker.store.read() as conn:
            before = item_store.last_seq(conn, pair.a.node_id)
        with pytest.raises(CsnetError) as caught:
            post(worker, to=(pair.b.node_id,))
        assert caught.value.error_code == "node_key_missing"
        with worker.store.read() as conn:
            assert item_store.last_seq(conn, pair.a.node_id) == before  # nothing half-stored
        shutil.copy(pair.a.settings.data_path / "node.key", copy / "node.key")
        (env,) = post(worker, to=(pair.b.node_id,))
        assert verify_envelope(env.to_bytes(), lambda _o: pair.a.key.public_key) == env
    finally:
        worker.close()
