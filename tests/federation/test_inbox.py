"""Inbound batches: each refusal has its code, is audited, and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.federation import framing, peers
from csnet.federation.peers import PeerStatus
from csnet.federation.requests import sign_request
from csnet.handling.markings import TLP
from csnet.items.canonical import canonical_json
from csnet.items.keys import NodeKey
from csnet.store import item_store
from csnet.transport import PeerResponse
from tests.federation.conftest import URL_B, Pair
from tests.federation.test_delivery import post, raw_of, resign
from tests.federation.test_handshake import actions, peer_up


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


ITEMS = URL_B + "/api/v1/federation/items"


def push(pair: Pair, items: list[Any] | None = None, body: bytes | None = None) -> PeerResponse:
    data = canonical_json({"items": items}) if body is None else body
    headers = sign_request(
        pair.a.key,
        origin=pair.a.node_id,
        destination=pair.b.node_id,
        method="POST",
        url=ITEMS,
        body=data,
        now=pair.clock(),
    )
    return pair.transport.send("POST", ITEMS, headers, data)


def stored_on_b(pair: Pair) -> int:
    with pair.b.store.read() as conn:
        return item_store.count_items(conn)


def item_refused(pair: Pair, item: dict[str, Any], code: str) -> None:
    answer = push(pair, [item])
    assert answer.status == 200, answer.body
    data = answer.json()
    assert data["accepted"] == []
    assert [r["code"] for r in data["refused"]] == [code]
    assert stored_on_b(pair) == 0
    _actor, action, details = actions(pair.b)[-1]
    assert action == "peer_refused" and details["code"] == code


def wire_for_b(pair: Pair, **marks: Any) -> dict[str, Any]:
    (env,) = post(pair.a, to=(pair.b.node_id,), **marks)
    return env.to_wire()


def unsigned(wire: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wire.items() if k not in ("id", "sig")}


def test_good_batch_is_accepted_and_audited(peered: Pair) -> None:
    wire = wire_for_b(peered)
    answer = push(peered, [wire, wire])
    assert answer.json() == {"accepted": [wire["id"]], "refused": []}
    assert raw_of(peered.b, wire["id"]) == canonical_json(wire)
    assert actions(peered.b)[-1][1] == "collection"


def test_forged_item_signature(peered: Pair) -> None:
    forged = resign(unsigned(wire_for_b(peered)), NodeKey.generate())
    item_refused(peered, forged, "bad_signature")


def test_changed_content_breaks_the_hash(peered: Pair) -> None:
    wire = wire_for_b(peered)
    wire["author"] = "someone-else"
    item_refused(peered, wire, "bad_hash")


def test_audience_excludes_b(peered: Pair) -> None:
    (env,) = post(peered.a)  # addressed to A only, AMBER
    item_refused(peered, env.to_wire(), "not_in_audience")


def test_red_item_addressed_elsewhere(peered: Pair) -> None:
    other = "csn" + "a" * 24
    (env,) = post(peered.a, to=(other,), tlp=TLP.RED)
    item_refused(peered, env.to_wire(), "not_in_audience")


def test_malformed_body_schema(peered: Pair) -> None:
    data = unsigned(wire_for_b(peered))
    data["body"] = {"nonsense": True}
    item_refused(peered, resign(data, peered.a.key), "bad_body")


@pytest.mark.parametrize(
    ("field", "value"), [("title", "Boat \u202e3pm.exe"), ("text", "About 300\x00 persons")]
)
def test_a_peer_item_with_a_spoofing_or_nul_character_is_refused(
    peered: Pair, field: str, value: str
) -> None:
    data = unsigned(wire_for_b(peered))
    data["body"] = {**data["body"], field: value}
    item_refused(peered, resign(data, peered.a.key), "bad_body")


def test_unknown_origin(peered: Pair) -> None:
    stranger = NodeKey.generate()
    from csnet.items.keys import node_id_for

    data = {**unsigned(wire_for_b(peered)), "origin": node_id_for(stranger.public_key)}
    item_refused(peered, resign(data, stranger), "unknown_origin")


def test_malformed_request_body_refuses_the_batch(peered: Pair) -> None:
    answer = push(peered, body=b'{"things": 1}')
    assert answer.status == 422 and answer.json()["error"]["code"] == "bad_batch"
    assert actions(peered.b)[-1][2]["code"] == "bad_batch"


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_batch_is_refused_and_audited(peered: Pair, depth: int) -> None:
    answer = push(peered, body=b'{"items": [' + b"[" * depth + b"]" * depth + b"]}")
    assert answer.status == 413, answer.body
    assert answer.json()["error"]["code"] == "too_deep"
    _actor, action, details = actions(peered.b)[-1]
    assert action == "peer_refused" and details["code"] == "too_deep"
    assert stored_on_b(peered) == 0


def test_unbalanced_deep_nesting_is_a_bad_batch(peered: Pair) -> None:
    answer = push(peered, body=b'{"items": [' + b"[" * 100_000)
    assert answer.status == 422 and answer.json()["error"]["code"] == "bad_batch"
    assert actions(peered.b)[-1][2]["code"] == "bad_batch"


def test_duplicated_items_key_is_a_bad_batch(peered: Pair) -> None:
    wire = canonical_json(wire_for_b(peered)).decode()
    answer = push(peered, body=f'{{"items": [], "items": [{wire}]}}'.encode())
    assert answer.status == 422 and answer.json()["error"]["code"] == "bad_batch"
    assert actions(peered.b)[-1][2]["code"] == "bad_batch"
    assert stored_on_b(peered) == 0


def test_refusals_name_the_full_path(peered: Pair) -> None:
    push(peered, body=b'{"things": 1}')
    assert actions(peered.b)[-1][2]["path"] == "/api/v1/federation/items"


def test_oversized_batch_is_413(peered: Pair) -> None:
    wire = wire_for_b(peered)
    answer = push(peered, [wire] * 501)
    assert answer.status == 413 and answer.json()["error"]["code"] == "batch_too_large"
    assert actions(peered.b)[-1][2]["code"] == "batch_too_large"
    assert stored_on_b(peered) == 0


@pytest.mark.parametrize(
    ("status", "code"),
    [(PeerStatus.SUSPENDED, "peer_suspended"), (PeerStatus.REVOKED, "peer_revoked")],
)
def test_suspended_peer_is_refused(peered: Pair, status: PeerStatus, code: str) -> None:
    wire = wire_for_b(peered)
    with peered.b.store.write() as conn:
        peers.set_status(conn, peered.a.node_id, status, peered.clock())
    answer = push(peered, [wire])
    assert answer.status == 403 and answer.json()["error"]["code"] == code
    assert actions(peered.b)[-1][2]["code"] == code
    assert stored_on_b(peered) == 0


def test_mixed_batch_judges_each_item(peered: Pair) -> None:
    good = wire_for_b(peered)
    (elsewhere,) = post(peered.a)
    answer = push(peered, [good, elsewhere.to_wire()]).json()
    assert answer["accepted"] == [good["id"]]
    assert answer["refused"] == [
        {
            "index": 1,
            "id": elsewhere.id,
            "code": "not_in_audience",
            "message": answer["refused"][0]["message"],
        }
    ]
    assert stored_on_b(peered) == 1


def framed(items: list[bytes]) -> bytes:
    return framing.join_lines(items)


def test_framed_batch_stores_the_bytes_as_signed(peered: Pair) -> None:
    sent = post(peered.a, 3, to=(peered.b.node_id,))
    answer = push(peered, body=framed([env.to_bytes() for env in sent]))
    assert answer.json() == {"accepted": [env.id for env in sent], "refused": []}
    assert all(raw_of(peered.b, env.id) == env.to_bytes() for env in sent)


def test_framed_batch_judges_each_item_in_the_fixed_order(peered: Pair) -> None:
    good = wire_for_b(peered)
    (elsewhere,) = post(peered.a)
    data = unsigned(wire_for_b(peered))
    data["body"] = {"nonsense": True}
    bad_body = resign(data, peered.a.key)
    # why: out of the audience AND a bad body: the audience is judged first
    outside = unsigned(elsewhere.to_wire())
    outside["body"] = {"nonsense": True}
    both = resign(outside, peered.a.key)
    forged = resign(unsigned(good), NodeKey.generate())
    lines = [canonical_json(w) for w in (good, bad_body, both, forged)]
    answer = push(peered, body=framed(lines)).json()
    assert answer["accepted"] == [good["id"]]
    codes = [(r["index"], r["code"]) for r in answer["refused"]]
    assert codes == [(1, "bad_body"), (2, "not_in_audience"), (3, "bad_signature")]
    assert stored_on_b(peered) == 1


def test_an_item_already_held_is_accepted_without_storing_again(peered: Pair) -> None:
    wire = wire_for_b(peered)
    assert push(peered, [wire]).json()["accepted"] == [wire["id"]]
    before = actions(peered.b)
    # A copy claiming the held id with other content: nothing changes, nothing is stored.
    twin = {**wire, "author": "someone-else"}
    answer = push(peered, body=framed([canonical_json(twin)])).json()
    assert answer == {"accepted": [wire["id"]], "refused": []}
    assert raw_of(peered.b, wire["id"]) == canonical_json(wire)
    assert stored_on_b(peered) == 1 and len(actions(peered.b)) == len(before)


def test_a_large_framed_batch_is_verified_in_worker_processes(peered: Pair) -> None:
    sent = post(peered.a, 300, to=(peered.b.node_id,))
    lines = [env.to_bytes() for env in sent]
    lines[7] = lines[7].replace(b"alert 7", b"alert 8")
    answer = push(peered, body=framed(lines)).json()
    assert len(answer["accepted"]) == 299
    assert [(r["index"], r["code"]) for r in answer["refused"]] == [(7, "bad_hash")]
    assert stored_on_b(peered) == 299
