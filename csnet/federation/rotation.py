"""Key rotation: a node announces its new key to every active peer, signed by old and new keys.

POST /api/v1/federation/key, as a signed request under the *old* key, with body
    {"announcement": {"type": "csnet.key.rotate", "node_id", "old_public_key", "new_public_key",
                      "time"},
     "old_signature": sig_old, "new_signature": sig_new}
where both signatures cover the canonical JSON of "announcement" (the new one proves possession).
The node keeps its federation id; the old key file stays on disk as node.key.retired-<time>.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from csnet.audit import AuditAction, append
from csnet.errors import BadInput, CsnetError, IntegrityFailure
from csnet.federation import peers
from csnet.federation.client import call_peer
from csnet.federation.local import audit_refusal, federation_id, peer_entry
from csnet.federation.peers import Peer, PeerStatus
from csnet.items import strict_json
from csnet.items.canonical import canonical_json
from csnet.items.keys import NodeKey, b64url, b64url_decode, verify_signature
from csnet.node import KEY_FILE, Node

TYPE = "csnet.key.rotate"
PATH = "/federation/key"


@dataclass(frozen=True)
class Delivery:
    peer: str
    error: str | None  # None when the peer accepted the new key


def announcement(node: Node, new_key: NodeKey) -> dict[str, Any]:
    fields = {
        "type": TYPE,
        "node_id": federation_id(node),
        "old_public_key": b64url(node.key.public_key),
        "new_public_key": b64url(new_key.public_key),
        "time": int(node.now().timestamp()),
    }
    message = canonical_json(fields)
    return {
        "announcement": fields,
        "old_signature": b64url(node.key.sign(message)),
        "new_signature": b64url(new_key.sign(message)),
    }


def rotate_own_key(node: Node, actor: str) -> list[Delivery]:
    """Announce a fresh key to active peers, then switch to it. Returns per-peer outcomes."""
    new_key = NodeKey.generate()
    payload = announcement(node, new_key)
    with node.store.read() as conn:
        active = [p for p in peers.list_peers(conn) if p.status is PeerStatus.ACTIVE]
    deliveries = [_deliver(node, peer, payload) for peer in active]
    _replace_key_file(node, new_key)
    node.key = new_key
    node.identity = replace(node.identity, public_key=new_key.public_key)
    failed = [d.peer for d in deliveries if d.error]
    details = {"change": "own key rotated", "fingerprint": node.identity.fingerprint}
    with node.store.write() as conn:
        append(
            conn,
            peer_entry(actor, AuditAction.PEER_CHANGE, {**details, "failed": failed}),
            node.now(),
        )
    return deliveries


def _deliver(node: Node, peer: Peer, payload: dict[str, Any]) -> Delivery:
    try:
        call_peer(node, peer, "POST", PATH, payload)
    except CsnetError as exc:
        return Delivery(peer.node_id, f"{exc.error_code}: {exc.message}")
    return Delivery(peer.node_id, None)


def _replace_key_file(node: Node, new_key: NodeKey) -> None:
    path = node.settings.data_path / KEY_FILE
    path.rename(path.with_name(f"{KEY_FILE}.retired-{int(node.now().timestamp())}"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(new_key.seed)


def receive(node: Node, peer: Peer, body: bytes) -> Peer:
    """Apply a peer's announcement (its request was already authenticated under the old key)."""
    try:
        new_key = _checked(peer, body)
        with node.store.write() as conn:
            updated = peers.rotate_key(conn, peer.node_id, new_key, node.now())
            details = {"peer": peer.node_id, "change": "key rotated"}
            details["fingerprint"] = updated.identity.fingerprint
            append(
                conn,
                peer_entry(f"peer:{peer.node_id}", AuditAction.PEER_CHANGE, details),
                node.now(),
            )
    except CsnetError as exc:
        audit_refusal(node, peer.node_id, exc.error_code, {"step": "key rotation"})
        raise
    return updated


def _checked(peer: Peer, body: bytes) -> bytes:
    try:
        data = strict_json.loads(body, what="announcement")
        fields = data["announcement"]
        message = canonical_json(fields)
        old, new = b64url_decode(fields["old_public_key"]), b64url_decode(fields["new_public_key"])
        sigs = b64url_decode(data["old_signature"]), b64url_decode(data["new_signature"])
    except (ValueError, KeyError, TypeError, BadInput):
        raise BadInput("not a key rotation announcement", code="bad_rotation") from None
    if fields.get("type") != TYPE or fields.get("node_id") != peer.node_id:
        raise BadInput("announcement is not for this peer", code="bad_rotation")
    if old != peer.identity.public_key:
        raise IntegrityFailure("old_public_key is not the peer's current key", code="bad_rotation")
    if not (verify_signature(old, message, sigs[0]) and verify_signature(new, message, sigs[1])):
        raise IntegrityFailure("announcement signatures do not verify", code="bad_rotation")
    return new
