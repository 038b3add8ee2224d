"""Two nodes peer through an invitation; signed pings work both ways; the tampered fail."""

from __future__ import annotations

import json

import pytest

from csnet.audit import AuditFilter, list_entries
from csnet.errors import BadInput, IntegrityFailure
from csnet.federation import handshake, invitations, peers
from csnet.federation.client import call_peer
from csnet.federation.local import federation_id, public_url
from csnet.federation.peers import PeerStatus
from csnet.node import Node
from csnet.transport import PeerError, PeerResponse
from tests.federation.conftest import URL_A, Pair


def invite(node: Node, hours: int = 24) -> str:
    with node.store.write() as conn:
        invitation = invitations.create_invitation(
            conn,
            url=public_url(node),
            node_id=federation_id(node),
            fingerprint=node.identity.fingerprint,
            now=node.now(),
            hours=hours,
        )
    return invitation.token()


def peer_up(pair: Pair) -> None:
    handshake.accept(pair.b, pair.b.transport, invite(pair.a), "host:test")  # type: ignore[arg-type]


def actions(node: Node) -> list[tuple[str, str, dict[str, object]]]:
    """The audit log, oldest first, as (actor, action, details)."""
    with node.store.read() as conn:
        found = list_entries(conn, AuditFilter(), limit=500)
    return [(e["actor"], e["action"], e["details"]) for e in reversed(found)]


def test_handshake_records_both_sides(pair: Pair) -> None:
    peer_up(pair)
    with pair.a.store.read() as conn:
        b_at_a = peers.require_peer(conn, pair.b.node_id)
    with pair.b.store.read() as conn:
        a_at_b = peers.require_peer(conn, pair.a.node_id)
    assert b_at_a.status is PeerStatus.ACTIVE and a_at_b.status is PeerStatus.ACTIVE
    assert b_at_a.identity.public_key == pair.b.key.public_key
    assert a_at_b.identity.url == URL_A and a_at_b.identity.country == "PK"
    assert any(a == "peer_change" for _, a, _ in actions(pair.a))
    assert any(a == "peer_change" for _, a, _ in actions(pair.b))


def test_signed_ping_both_ways(pair: Pair) -> None:
    peer_up(pair)
    with pair.a.store.read() as conn:
        b = peers.require_peer(conn, pair.b.node_id)
    with pair.b.store.read() as conn:
        a = peers.require_peer(conn, pair.a.node_id)
    answer = call_peer(pair.a, b, "GET", "/federation/ping").json()
    assert answer["node_id"] == pair.b.node_id and answer["peer"] == pair.a.node_id
    assert call_peer(pair.b, a, "GET", "/federation/ping").json()["name"] == "PK-FIA"


def test_invitation_is_single_use(pair: Pair) -> None:
    token = invite(pair.a)
    handshake.accept(pair.b, pair.b.transport, token, "host:test")  # type: ignore[arg-type]
    with pytest.raises(PeerError) as caught:
        handshake.accept(pair.b, pair.b.transport, token, "host:test")  # type: ignore[arg-type]
    assert caught.value.error_code == "invitation_used"
    refused = [d for _, a, d in actions(pair.a) if a == "peer_refused"]
    assert refused and refused[-1]["code"] == "invitation_used"


def test_expired_invitation_is_refused_locally_and_remotely(pair: Pair) -> None:
    token = invite(pair.a, hours=1)
    pair.clock.advance(hours=2)
    with pytest.raises(BadInput) as caught:
        handshake.accept(pair.b, pair.b.transport, token, "host:test")  # type: ignore[arg-type]
    assert caught.value.error_code == "invitation_expired"


def test_inviter_key_must_match_the_invitation(pair: Pair) -> None:
    data = invitations.decode_token(invite(pair.a)).to_json()
    data["fingerprint"] = "0000 0000"
    forged = invitations.Invitation(
        **{**data, "expires": invitations.decode_token(invite(pair.a)).expires}
    )  # type: ignore[arg-type]
    with pytest.raises(IntegrityFailure) as caught:
        handshake.accept(pair.b, pair.b.transport, forged.token(), "host:test")  # type: ignore[arg-type]
    assert caught.value.error_code == "inviter_mismatch"
    with pair.b.store.read() as conn:
        assert peers.list_peers(conn) == []


def _post(pair: Pair, body: object) -> PeerResponse:
    return pair.transport.send(
        "POST",
        URL_A + handshake.PATH,
        {"Content-Type": "application/json"},
        json.dumps(body).encode(),
    )


def test_handshake_with_bad_signature_is_refused_and_audited(pair: Pair) -> None:
    token = invitations.decode_token(invite(pair.a))
    me = pair.b.identity
    identity = {
        "node_id": pair.b.node_id,
        "name": me.name,
        "country": me.country,
        "agency": me.agency,
        "url": "https://gr-hcg.test",
        "public_key": peers.b64url(me.public_key),
    }
    answer = _post(pair, {"identity": identity, "secret": token.secret, "signature": "AAAA"})
    assert answer.status == 401 and answer.json()["error"]["code"] == "bad_signature"
    with pair.a.store.read() as conn:
        assert peers.list_peers(conn) == []
        invitations.check(conn, token.secret, pair.a.now())  # not burnt by a bad attempt
    assert actions(pair.a)[-1][:2] == (f"peer:{pair.b.node_id}", "peer_refused")


@pytest.mark.parametrize("body", [None, [], {"secret": 5}, {"secret": "x", "identity": 3}])
def test_malformed_handshakes_are_4xx(pair: Pair, body: object) -> None:
    answer = _post(pair, body)
    assert 400 <= answer.status < 500
    assert actions(pair.a)[-1][1] == "peer_refused"
