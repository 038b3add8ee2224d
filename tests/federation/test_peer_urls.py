"""Confidentiality on the wire: no peering, push or pull over plain http off loopback.

Every refusal happens before a connection: the in-process transport records what was sent, and
http://10.0.0.1 is only ever a string here.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from csnet.errors import BadInput
from csnet.federation import handshake, invitations, invite_ops, peers, pull
from csnet.federation.delivery import Delivery
from csnet.federation.local import federation_id, local_identity, public_url
from csnet.federation.peer_urls import check_peer_url
from csnet.federation.peers import PeerIdentity
from csnet.store.tables import peers as peers_table
from tests.federation.conftest import URL_A, Pair
from tests.federation.test_delivery import post, queued
from tests.federation.test_handshake import actions, peer_up

OFF_HOST = "http://10.0.0.1"


@pytest.mark.parametrize(
    "url",
    [
        "https://csnet.fia.gov.pk",
        "https://10.0.0.1:8443",
        "http://127.0.0.1:8080",
        "http://127.8.9.10",
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://[::1]:8080",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    check_peer_url(url, allow_plain_http=False)


@pytest.mark.parametrize(
    "url",
    [
        OFF_HOST,
        "http://csnet.fia.gov.pk",
        "http://127.0.0.1.nip.io",
        "http://localhost.example.org",
        "http://[::ffff:10.0.0.1]",
        "http://0.0.0.0:8080",
        "ftp://csnet.fia.gov.pk",
        "https://",
    ],
)
def test_plain_http_off_loopback_is_refused(url: str) -> None:
    with pytest.raises(BadInput) as caught:
        check_peer_url(url, allow_plain_http=False)
    assert caught.value.error_code == "insecure_peer_url"
    assert "https" in caught.value.message


def test_the_operator_can_allow_plain_http_explicitly() -> None:
    check_peer_url(OFF_HOST, allow_plain_http=True)
    with pytest.raises(BadInput):
        check_peer_url("ftp://10.0.0.1", allow_plain_http=True)


def test_no_invitation_to_a_plain_http_url(pair: Pair) -> None:
    with pytest.raises(BadInput) as caught:
        invite_ops.issue(pair.a, "host:test", hours=1, url=OFF_HOST)
    assert caught.value.error_code == "insecure_peer_url"
    pair.a.settings = pair.a.settings.replace(public_url=OFF_HOST)
    with pytest.raises(BadInput):
        invite_ops.issue(pair.a, "host:test", hours=1)
    assert not any(d.get("change") == "invitation issued" for _, _, d in actions(pair.a))
    pair.a.settings = pair.a.settings.replace(allow_plain_http_peers=True)
    assert invite_ops.issue(pair.a, "host:test", hours=1).url == OFF_HOST


def _token(pair: Pair, url: str) -> str:
    with pair.a.store.write() as conn:
        invitation = invitations.create_invitation(
            conn,
            url=url,
            node_id=federation_id(pair.a),
            fingerprint=pair.a.identity.fingerprint,
            now=pair.a.now(),
            hours=1,
        )
    return invitation.token()


def test_accepting_an_invitation_to_plain_http_sends_nothing(pair: Pair) -> None:
    with pytest.raises(BadInput) as caught:
        handshake.accept(pair.b, pair.transport, _token(pair, OFF_HOST), "host:test")
    assert caught.value.error_code == "insecure_peer_url"
    assert pair.transport.sent == []  # refused before the secret or our identity left
    with pair.b.store.read() as conn:
        assert peers.list_peers(conn) == []


def test_an_acceptor_with_a_plain_http_public_url_sends_nothing(pair: Pair) -> None:
    pair.b.settings = pair.b.settings.replace(public_url=OFF_HOST)
    with pytest.raises(BadInput) as caught:
        handshake.accept(pair.b, pair.transport, _token(pair, URL_A), "host:test")
    assert caught.value.error_code == "insecure_peer_url" and OFF_HOST in caught.value.message
    assert pair.transport.sent == []


def test_an_inviter_announcing_a_plain_http_url_is_not_recorded(pair: Pair) -> None:
    pair.a.settings = pair.a.settings.replace(public_url=OFF_HOST)  # but invites via https
    with pytest.raises(BadInput) as caught:
        handshake.accept(pair.b, pair.transport, _token(pair, URL_A), "host:test")
    assert caught.value.error_code == "insecure_peer_url"
    with pair.b.store.read() as conn:
        assert peers.list_peers(conn) == []


def test_a_handshake_from_a_plain_http_acceptor_is_refused_with_the_code(pair: Pair) -> None:
    secret = invitations.decode_token(_token(pair, URL_A)).secret
    me = local_identity(pair.b)
    them = PeerIdentity(me.node_id, me.name, me.country, me.agency, OFF_HOST, me.public_key)
    signature = handshake.sign_message(pair.b.key, handshake.ACCEPT, them, pair.a.node_id, secret)
    body = {"identity": them.to_json(), "secret": secret, "signature": signature}
    answer = pair.transport.apps[URL_A].post(handshake.PATH, json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "insecure_peer_url"
    with pair.a.store.read() as conn:
        assert peers.list_peers(conn) == []
        invitations.check(conn, secret, pair.a.now())  # not burnt
    assert actions(pair.a)[-1][1] == "peer_refused"


def _move_peer_to_plain_http(pair: Pair) -> None:
    """As a node peered before this check, or by an operator who allowed it then stopped."""
    for node, other in ((pair.a, pair.b), (pair.b, pair.a)):
        with node.store.write() as conn:
            conn.execute(
                update(peers_table)
                .where(peers_table.c.node_id == other.node_id)
                .values(url=OFF_HOST)
            )


def test_no_push_to_a_plain_http_peer(pair: Pair) -> None:
    peer_up(pair)
    _move_peer_to_plain_http(pair)
    pair.transport.sent.clear()
    (env,) = post(pair.a, to=(pair.b.node_id,), tlp="TLP:AMBER")
    assert Delivery(pair.a).flush(pair.b.node_id) == 0
    assert pair.transport.sent == []
    assert [(peer, item) for peer, item, _ in queued(pair.a)] == [(pair.b.node_id, env.id)]


def test_no_pull_from_a_plain_http_peer(pair: Pair) -> None:
    peer_up(pair)
    _move_peer_to_plain_http(pair)
    pair.transport.sent.clear()
    with pair.b.store.read() as conn:
        a_at_b = peers.require_peer(conn, pair.a.node_id)
    with pytest.raises(BadInput) as caught:
        pull.pull_peer(pair.b, a_at_b)
    assert caught.value.error_code == "insecure_peer_url"
    assert pair.transport.sent == []


def test_the_advertised_url_is_https_when_the_node_serves_tls(pair: Pair) -> None:
    plain = pair.a.settings.replace(public_url="", host="127.0.0.1", port=8443)
    pair.a.settings = plain
    assert public_url(pair.a) == "http://127.0.0.1:8443"
    pair.a.settings = plain.replace(tls_cert_file="node.crt", tls_key_file="node.key")
    assert public_url(pair.a) == "https://127.0.0.1:8443"
