"""The mutual signed handshake that turns an invitation into a pair of peers.

Acceptor → inviter, POST /api/v1/federation/handshake:
    {"identity": <acceptor identity>, "secret": <invitation secret>, "signature": sig}
    sig = Ed25519 by the acceptor over canonical JSON
          {"type": "csnet.handshake.accept", "identity": …, "inviter": <inviter id>, "secret": …}
Inviter → acceptor, 200:
    {"identity": <inviter identity>, "signature": sig}
    sig = Ed25519 by the inviter over canonical JSON
          {"type": "csnet.handshake.reply", "identity": …, "acceptor": <acceptor id>, "secret": …}
The secret inside both signed messages binds each signature to this one invitation.
"""

from __future__ import annotations

from typing import Any

from csnet.audit import AuditAction, append
from csnet.errors import BadInput, CsnetError, IntegrityFailure, Unauthenticated
from csnet.federation import invitations, peers
from csnet.federation.local import (
    API_PREFIX,
    audit_refusal,
    local_identity,
    peer_entry,
)
from csnet.federation.peer_urls import require_secure
from csnet.federation.peers import Peer, PeerIdentity
from csnet.items.canonical import canonical_json
from csnet.items.keys import NodeKey, b64url, b64url_decode, verify_signature
from csnet.node import Node
from csnet.transport import PeerTransport, raise_for_status

PATH = API_PREFIX + "/federation/handshake"
ACCEPT, REPLY = "csnet.handshake.accept", "csnet.handshake.reply"


def _message(kind: str, identity: PeerIdentity, other: str, secret: str) -> bytes:
    role = "inviter" if kind == ACCEPT else "acceptor"
    return canonical_json(
        {"type": kind, "identity": identity.to_json(), role: other, "secret": secret}
    )


def sign_message(key: NodeKey, kind: str, identity: PeerIdentity, other: str, secret: str) -> str:
    return b64url(key.sign(_message(kind, identity, other, secret)))


def _verified(kind: str, identity: PeerIdentity, other: str, secret: str, sig: Any) -> bool:
    try:
        signature = b64url_decode(sig) if isinstance(sig, str) else b""
    except BadInput:
        return False
    return verify_signature(identity.public_key, _message(kind, identity, other, secret), signature)


# Inviter side


def answer(node: Node, body: Any) -> dict[str, Any]:
    """Check an acceptor's handshake, record the peer and answer signed; refusals are audited."""
    try:
        return _answer(node, body)
    except CsnetError as exc:
        audit_refusal(node, _claimed_id(body), exc.error_code, {"step": "handshake"})
        raise


def _claimed_id(body: Any) -> str | None:
    identity = body.get("identity") if isinstance(body, dict) else None
    claimed = identity.get("node_id") if isinstance(identity, dict) else None
    return claimed if isinstance(claimed, str) else None


def _answer(node: Node, body: Any) -> dict[str, Any]:
    secret = body.get("secret") if isinstance(body, dict) else None
    if not isinstance(secret, str):
        raise BadInput("a JSON object with a secret is required", code="bad_invitation")
    me = local_identity(node)
    with node.store.write() as conn:
        invitations.check(conn, secret, node.now())
        them = peers.identity_from_json(body.get("identity"))
        require_secure(node, them.url)  # why: this is where our items for them will go
        if them.node_id == me.node_id:
            raise BadInput("a node cannot peer with itself", code="bad_identity")
        if not _verified(ACCEPT, them, me.node_id, secret, body.get("signature")):
            raise Unauthenticated("handshake signature does not verify", code="bad_signature")
        invitations.redeem(conn, secret, them.node_id, node.now())
        peers.add_peer(conn, them, node.now())
        entry = peer_entry(f"peer:{them.node_id}", AuditAction.PEER_CHANGE, _added(them, "invite"))
        append(conn, entry, node.now())
    return {
        "identity": me.to_json(),
        "signature": sign_message(node.signing_key(), REPLY, me, them.node_id, secret),
    }


def _added(them: PeerIdentity, via: str) -> dict[str, Any]:
    return {"peer": them.node_id, "change": f"peered via {via}", "fingerprint": them.fingerprint}


# Acceptor side


def accept(node: Node, transport: PeerTransport, token: str, actor: str) -> Peer:
    """Redeem an invitation at the inviter and record the inviter as a peer."""
    invitation = invitations.decode_token(token)
    if invitation.expires <= node.now():
        raise BadInput("this invitation has expired", code="invitation_expired")
    me = local_identity(node)
    if invitation.node_id == me.node_id:
        raise BadInput("this invitation is our own", code="bad_invitation")
    # why: before the secret and our identity go out; the inviter would refuse our URL anyway
    require_secure(node, invitation.url)
    require_secure(node, me.url)
    request = {
        "identity": me.to_json(),
        "secret": invitation.secret,
        "signature": sign_message(
            node.signing_key(), ACCEPT, me, invitation.node_id, invitation.secret
        ),
    }
    response = transport.send(
        "POST",
        invitation.url + PATH,
        {"Content-Type": "application/json"},
        canonical_json(request),
    )
    raise_for_status(response)
    inviter = _check_reply(response.json(), invitation, me.node_id)
    require_secure(node, inviter.url)
    with node.store.write() as conn:
        peer = peers.add_peer(conn, inviter, node.now())
        append(
            conn, peer_entry(actor, AuditAction.PEER_CHANGE, _added(inviter, "accept")), node.now()
        )
    return peer


def _check_reply(reply: Any, invitation: invitations.Invitation, acceptor: str) -> PeerIdentity:
    if not isinstance(reply, dict):
        raise IntegrityFailure("handshake reply is not an object", code="bad_handshake_reply")
    try:
        inviter = peers.identity_from_json(reply.get("identity"))
    except BadInput as exc:
        raise IntegrityFailure(exc.message, code="bad_handshake_reply") from None
    if inviter.node_id != invitation.node_id or inviter.fingerprint != invitation.fingerprint:
        raise IntegrityFailure(
            "the inviter's key does not match the invitation", code="inviter_mismatch"
        )
    if not _verified(REPLY, inviter, acceptor, invitation.secret, reply.get("signature")):
        raise IntegrityFailure("handshake reply signature does not verify", code="bad_signature")
    return inviter
