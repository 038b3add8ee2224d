"""Calling a peer with a signed request through the node's transport."""

from __future__ import annotations

from typing import Any

from csnet.errors import CsnetError
from csnet.federation.local import API_PREFIX, federation_id
from csnet.federation.peer_urls import require_secure
from csnet.federation.peers import Peer
from csnet.federation.requests import sign_request
from csnet.items.canonical import canonical_json
from csnet.items.keys import NodeKey
from csnet.node import Node
from csnet.transport import PeerResponse, PeerTransport, raise_for_status


def transport_of(node: Node) -> PeerTransport:
    if node.transport is None:
        raise CsnetError("this node has no peer transport configured", code="no_transport")
    return node.transport


def send_to_peer(
    node: Node, method: str, url: str, headers: dict[str, str], body: bytes
) -> PeerResponse:
    """Send through the node's transport, never to a URL that would expose the body."""
    require_secure(node, url)
    response = transport_of(node).send(method, url, headers, body)
    raise_for_status(response)
    return response


def call_peer(
    node: Node,
    peer: Peer,
    method: str,
    path: str,
    payload: Any = None,
    *,
    key: NodeKey | None = None,
) -> PeerResponse:
    """Send a signed request to `peer` (path under /api/v1); raises PeerError on 4xx/5xx.

    `key` overrides the signing key (a key rotation is announced under the old key).
    """
    url = peer.identity.url + API_PREFIX + path
    body = b"" if payload is None else canonical_json(payload)
    headers = sign_request(
        key or node.signing_key(),
        origin=federation_id(node),
        destination=peer.node_id,
        method=method,
        url=url,
        body=body,
        now=node.now(),
    )
    if payload is not None:
        headers["Content-Type"] = "application/json"
    return send_to_peer(node, method, url, headers, body)
