"""Authenticating a signed request from a peer, in the order the design fixes:

known peer → active → well-formed headers → addressed to us → signature → fresh → nonce unused.
The body hash is part of the signed string (the receiver hashes the body it received), so a changed
body fails the signature check. Each refusal raises after an audit entry is committed, and
nothing else is stored (the nonce is only recorded for a request that passed every check).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from csnet.errors import CsnetError, Forbidden, Unauthenticated
from csnet.federation import peers, replay
from csnet.federation.local import audit_refusal, federation_id, request_details
from csnet.federation.peers import Peer, PeerStatus
from csnet.federation.requests import (
    ORIGIN,
    RequestAuth,
    is_fresh,
    parse_headers,
    signature_valid,
)
from csnet.node import Node


@dataclass(frozen=True)
class Nonce:
    """A checked request's nonce, to be recorded in the transaction of the work it asks for."""

    origin: str
    nonce: str
    at: int


def authenticate(
    node: Node, method: str, target: str, headers: Mapping[str, str], body: bytes
) -> Peer:
    """The peer that sent this request, or a refusal (401/403 with a stable code), audited."""
    origin = {k.lower(): v for k, v in headers.items()}.get(ORIGIN.lower())
    try:
        return _authenticate(node, origin, method, target, headers, body)
    except CsnetError as exc:
        audit_refusal(node, origin, exc.error_code, request_details(method, target))
        raise


def authenticate_deferred(
    node: Node, method: str, target: str, headers: Mapping[str, str], body: bytes
) -> tuple[Peer, Nonce]:
    """As `authenticate`, all checks made, but the nonce left for the caller to record with
    `claim` in the transaction of the work (a pushed batch: nonce and items commit together,
    one write transaction instead of two). A nonce seen already is refused here."""
    origin = {k.lower(): v for k, v in headers.items()}.get(ORIGIN.lower())
    try:
        with node.store.read() as conn:
            peer, auth = _checked(node, conn, origin, method, target, headers, body)
            if replay.seen(conn, auth.origin, auth.nonce):
                raise _replayed()
    except CsnetError as exc:
        audit_refusal(node, origin, exc.error_code, request_details(method, target))
        raise
    return peer, Nonce(auth.origin, auth.nonce, auth.time)


def claim(node: Node, conn: Connection, nonce: Nonce) -> None:
    """Record `nonce` in the caller's write transaction; a replay raises (and rolls it back)."""
    if not replay.remember(conn, nonce.origin, nonce.nonce, nonce.at, node.now()):
        raise _replayed()


def _replayed() -> Unauthenticated:
    return Unauthenticated("this nonce was already used", code="replayed_request")


def _authenticate(
    node: Node,
    origin: str | None,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Peer:
    # why: one transaction, not a read and then a write: the peer is read where its nonce is
    # recorded (a refusal raises inside it, which rolls back and so records nothing)
    with node.store.write() as conn:
        peer, auth = _checked(node, conn, origin, method, target, headers, body)
        fresh = replay.remember(conn, auth.origin, auth.nonce, auth.time, node.now())
    if not fresh:
        raise _replayed()
    return peer


def _checked(
    node: Node,
    conn: Connection,
    origin: str | None,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
) -> tuple[Peer, RequestAuth]:
    """Every check but the nonce's, in the design's order."""
    peer = peers.get_peer(conn, origin) if origin else None
    if peer is None:
        raise Unauthenticated("X-Csnet-Origin is not a known peer", code="unknown_peer")
    _require_active(peer)
    auth = parse_headers(headers)
    if auth.destination != federation_id(node):
        raise Unauthenticated("request is addressed to another node", code="wrong_destination")
    if not signature_valid(peer.identity.public_key, auth, method, target, body):
        raise Unauthenticated("request signature does not verify", code="bad_request_signature")
    if not is_fresh(auth, node.now()):
        raise Unauthenticated("request time is outside the 300 s window", code="stale_request")
    return peer, auth


def _require_active(peer: Peer) -> None:
    if peer.status is PeerStatus.SUSPENDED:
        raise Forbidden("this peer is suspended", code="peer_suspended")
    if peer.status is PeerStatus.REVOKED:
        raise Forbidden("this peer is revoked", code="peer_revoked")
