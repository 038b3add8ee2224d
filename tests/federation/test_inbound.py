"""Signed requests over HTTP: every refusal has its code and status, is audited, stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from csnet.federation import peers, rotation
from csnet.federation.client import call_peer
from csnet.federation.peers import Peer, PeerStatus
from csnet.federation.requests import NONCE, sign_request
from csnet.items.keys import KeyHistory, NodeKey
from csnet.store.tables import request_nonces
from csnet.transport import PeerError, PeerResponse
from tests.federation.conftest import URL_B, Pair
from tests.federation.test_handshake import actions, peer_up

PING = URL_B + "/api/v1/federation/ping"


def b_at_a(pair: Pair) -> Peer:
    with pair.a.store.read() as conn:
        return peers.require_peer(conn, pair.b.node_id)


def a_at_b(pair: Pair) -> Peer:
    with pair.b.store.read() as conn:
        return peers.require_peer(conn, pair.a.node_id)


def send(pair: Pair, headers: dict[str, str], url: str = PING, method: str = "GET") -> PeerResponse:
    return pair.transport.send(method, url, headers, b"")


def signed(pair: Pair, key: NodeKey | None = None, **overrides: str) -> dict[str, str]:
    headers = sign_request(
        key or pair.a.key,
        origin=pair.a.node_id,
        destination=pair.b.node_id,
        method="GET",
        url=PING,
        body=b"",
        now=pair.clock(),
    )
    return {**headers, **overrides}


def refused(pair: Pair, answer: PeerResponse, status: int, code: str) -> None:
    assert answer.status == status, answer.body
    assert answer.json()["error"]["code"] == code
    _actor, action, details = actions(pair.b)[-1]
    assert action == "peer_refused" and details["code"] == code


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def test_good_request_passes(peered: Pair) -> None:
    assert send(peered, signed(peered)).status == 200


def test_unknown_peer(pair: Pair) -> None:
    refused(pair, send(pair, signed(pair)), 401, "unknown_peer")
    assert actions(pair.b)[-1][0] == f"peer:{pair.a.node_id}"


def test_no_headers_at_all(pair: Pair) -> None:
    refused(pair, send(pair, {}), 401, "unknown_peer")
    assert actions(pair.b)[-1][0] == "system"


@pytest.mark.parametrize(
    ("status", "code"),
    [(PeerStatus.SUSPENDED, "peer_suspended"), (PeerStatus.REVOKED, "peer_revoked")],
)
def test_suspended_and_revoked_peers_are_refused(
    peered: Pair, status: PeerStatus, code: str
) -> None:
    with peered.b.store.write() as conn:
        peers.set_status(conn, peered.a.node_id, status, peered.clock())
    refused(peered, send(peered, signed(peered)), 403, code)
    assert actions(peered.b)[-1][0] == f"peer:{peered.a.node_id}"
    with pytest.raises(PeerError) as caught:
        call_peer(peered.a, b_at_a(peered), "GET", "/federation/ping")
    assert caught.value.error_code == code


def test_suspension_can_be_lifted_but_revocation_is_final(peered: Pair) -> None:
    with peered.b.store.write() as conn:
        peers.set_status(conn, peered.a.node_id, PeerStatus.SUSPENDED, peered.clock())
        peers.set_status(conn, peered.a.node_id, PeerStatus.ACTIVE, peered.clock())
    assert send(peered, signed(peered)).status == 200
    with peered.b.store.write() as conn:
        peers.set_status(conn, peered.a.node_id, PeerStatus.REVOKED, peered.clock())
    with pytest.raises(Exception, match="final"), peered.b.store.write() as conn:
        peers.set_status(conn, peered.a.node_id, PeerStatus.ACTIVE, peered.clock())


def test_wrong_destination(peered: Pair) -> None:
    answer = send(peered, signed(peered, **{"X-Csnet-Destination": peered.a.node_id}))
    refused(peered, answer, 401, "wrong_destination")


def test_bad_signature(peered: Pair) -> None:
    refused(
        peered, send(peered, signed(peered, key=NodeKey.generate())), 401, "bad_request_signature"
    )


def test_tampered_path(peered: Pair) -> None:
    refused(peered, send(peered, signed(peered), url=PING + "?x=1"), 401, "bad_request_signature")


def test_tampered_body(peered: Pair) -> None:
    headers = signed(peered)
    answer = peered.transport.send("GET", PING, headers, b"{}")
    refused(peered, answer, 401, "bad_request_signature")


def test_malformed_nonce(peered: Pair) -> None:
    refused(peered, send(peered, signed(peered, **{NONCE: "x"})), 401, "bad_request_signature")


@pytest.mark.parametrize("minutes", [-6, 6])
def test_stale(peered: Pair, minutes: int) -> None:
    headers = signed(peered)
    peered.clock.advance(minutes=minutes)
    refused(peered, send(peered, headers), 401, "stale_request")


def test_replay(peered: Pair) -> None:
    headers = signed(peered)
    assert send(peered, headers).status == 200
    refused(peered, send(peered, headers), 401, "replayed_request")


def test_rotation_then_old_key_is_refused(peered: Pair) -> None:
    old_key = peered.a.key
    deliveries = rotation.rotate_own_key(peered.a, "host:test")
    assert deliveries == [rotation.Delivery(peered.b.node_id, None)]
    assert peered.a.key.public_key != old_key.public_key
    assert (peered.a.settings.data_path / "node.key").read_bytes() == peered.a.key.seed
    at_b = a_at_b(peered)
    assert at_b.identity.public_key == peered.a.key.public_key
    with peered.b.store.read() as conn:
        history = peers.key_history(conn, peered.a.node_id)
    assert history == KeyHistory(peered.a.key.public_key, ((old_key.public_key, 0),))
    # New requests under the new key pass; under the old key they fail.
    assert call_peer(peered.a, b_at_a(peered), "GET", "/federation/ping").status == 200
    refused(peered, send(peered, signed(peered, key=old_key)), 401, "bad_request_signature")
    assert actions(peered.b)[-3][1] == "peer_change"


def test_forged_rotation_is_refused(peered: Pair) -> None:
    payload = rotation.announcement(peered.a, NodeKey.generate(), last_seq=0)
    payload["new_signature"] = payload["old_signature"]
    with pytest.raises(PeerError) as caught:
        call_peer(peered.a, b_at_a(peered), "POST", rotation.PATH, payload)
    assert caught.value.error_code == "bad_rotation"
    assert a_at_b(peered).identity.public_key == peered.a.key.public_key
    assert actions(peered.b)[-1][1] == "peer_refused"


@pytest.mark.parametrize("body", [b"", b"[]", b'{"announcement": 1}'])
def test_malformed_rotation_is_422(peered: Pair, body: bytes) -> None:
    url = URL_B + "/api/v1" + rotation.PATH
    headers = sign_request(
        peered.a.key,
        origin=peered.a.node_id,
        destination=peered.b.node_id,
        method="POST",
        url=url,
        body=body,
        now=peered.clock(),
    )
    answer = peered.transport.send("POST", url, headers, body)
    refused(peered, answer, 422, "bad_rotation")


def test_items_after_rotation_keep_the_node_id_and_verify_with_key_history(peered: Pair) -> None:
    from csnet.access import Caller
    from csnet.items.signing import verify_envelope
    from csnet.node import open_node
    from csnet.publishing import NewItem, publish
    from tests.factories import add_member, alert_body

    officer, _ = add_member(peered.a, "officer", "officer")
    before = publish(peered.a, Caller(officer), NewItem("alert", alert_body()))
    node_id = peered.a.node_id
    rotation.rotate_own_key(peered.a, "host:test")
    after = publish(peered.a, Caller(officer), NewItem("alert", alert_body()))
    assert after.origin == before.origin == node_id
    reopened = open_node(peered.a.settings, peered.clock)
    try:
        assert reopened.node_id == node_id
    finally:
        reopened.close()
    with peered.b.store.read() as conn:
        history = peers.key_history(conn, node_id)
    for env in (before, after):
        assert verify_envelope(env.to_bytes(), lambda origin: history) == env


def _nonces(pair: Pair) -> int:
    with pair.b.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(request_nonces)).scalar_one())


def test_only_a_request_that_passed_every_check_leaves_its_nonce(peered: Pair) -> None:
    """The peer is read and the nonce recorded in one transaction: a refusal at the last check
    before the nonce (freshness) rolls it back, so that nonce is still unused."""
    before = _nonces(peered)
    headers = signed(peered)
    peered.clock.advance(minutes=6)
    refused(peered, send(peered, headers), 401, "stale_request")
    assert _nonces(peered) == before
    assert send(peered, signed(peered)).status == 200
    assert _nonces(peered) == before + 1
