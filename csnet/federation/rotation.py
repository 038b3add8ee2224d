"""Key rotation: a node announces its new key to every active peer, signed by old and new keys.

POST /api/v1/federation/key, as a signed request under the *old* key, with body
    {"announcement": {"type": "csnet.key.rotate", "node_id", "old_public_key", "new_public_key",
                      "last_seq", "time"},
     "old_signature": sig_old, "new_signature": sig_new}
where both signatures cover the canonical JSON of "announcement" (the new one proves possession)
and last_seq is the highest seq the node sealed under the old key: peers let the old key verify
no item numbered after it (KeyHistory.keys_for), so a stolen old key forges nothing new.

The switch happens in one single-writer transaction — the one that allocates seqs — which reads
last_seq and names the new key in the database; every process of the node signs with the key
the database names (csnet/node_keys.py), so no item is sealed under the old key after last_seq,
and a running `csnet serve` signs with the new key from the commit on, without a restart.
The node keeps its federation id; the old key file stays on disk as node.key.retired-<time>.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csnet.audit import AuditAction, append
from csnet.errors import BadInput, CsnetError, IntegrityFailure
from csnet.federation import peers
from csnet.federation.client import call_peer
from csnet.federation.local import audit_refusal, federation_id, peer_entry
from csnet.federation.peers import Peer, PeerStatus
from csnet.items import strict_json
from csnet.items.canonical import SAFE_INT, canonical_json
from csnet.items.keys import NodeKey, b64url, b64url_decode, key_fingerprint, verify_signature
from csnet.node import Node
from csnet.node_keys import KEY_FILE, install, name_key, rotation_lock, settle, stage
from csnet.store import item_store

TYPE = "csnet.key.rotate"
PATH = "/federation/key"


@dataclass(frozen=True)
class Delivery:
    peer: str
    error: str | None  # None when the peer accepted the new key


def announcement(
    node: Node, new_key: NodeKey, *, last_seq: int, old_key: NodeKey | None = None
) -> dict[str, Any]:
    old_key = old_key or node.key
    fields = {
        "type": TYPE,
        "node_id": federation_id(node),
        "old_public_key": b64url(old_key.public_key),
        "new_public_key": b64url(new_key.public_key),
        "last_seq": last_seq,
        "time": int(node.now().timestamp()),
    }
    message = canonical_json(fields)
    return {
        "announcement": fields,
        "old_signature": b64url(old_key.sign(message)),
        "new_signature": b64url(new_key.sign(message)),
    }


@dataclass(frozen=True)
class Switched:
    old_key: NodeKey
    payload: dict[str, Any]  # the announcement, signed by both keys


def rotate_own_key(node: Node, actor: str) -> list[Delivery]:
    """Switch to a fresh key, then announce it to active peers. Returns per-peer outcomes."""
    switched = _switch(node, NodeKey.generate(), actor)
    with node.store.read() as conn:
        active = [p for p in peers.list_peers(conn) if p.status is PeerStatus.ACTIVE]
    deliveries = [_deliver(node, peer, switched) for peer in active]
    failed = [d.peer for d in deliveries if d.error]
    details = {"change": "key announced", "fingerprint": node.identity.fingerprint}
    with node.store.write() as conn:
        append(
            conn,
            peer_entry(actor, AuditAction.PEER_CHANGE, {**details, "failed": failed}),
            node.now(),
        )
    return deliveries


def _switch(node: Node, new_key: NodeKey, actor: str) -> Switched:
    """Name `new_key` current in the transaction that reads the last seq sealed under the old
    one: sealing takes the same single-writer lock, so no item gets the old key after it."""
    directory = node.settings.data_path
    with rotation_lock(directory):
        with node.store.write() as conn:
            old_key = node.signing_key(conn)
            settle(directory, old_key.public_key)
            stage(directory, new_key)
            last_seq = item_store.last_seq(conn, node.node_id)
            payload = announcement(node, new_key, last_seq=last_seq, old_key=old_key)
            name_key(conn, new_key.public_key)
            details = {"change": "own key rotated", "last_seq": last_seq}
            details["fingerprint"] = key_fingerprint(new_key.public_key)
            append(conn, peer_entry(actor, AuditAction.PEER_CHANGE, details), node.now())
        install(directory, f"{KEY_FILE}.retired-{int(node.now().timestamp())}")
    node.signing_key()  # why: this process switches now, as every other one will
    return Switched(old_key, payload)


def _deliver(node: Node, peer: Peer, switched: Switched) -> Delivery:
    try:
        call_peer(node, peer, "POST", PATH, switched.payload, key=switched.old_key)
    except CsnetError as exc:
        return Delivery(peer.node_id, f"{exc.error_code}: {exc.message}")
    return Delivery(peer.node_id, None)


def receive(node: Node, peer: Peer, body: bytes) -> Peer:
    """Apply a peer's announcement (its request was already authenticated under the old key)."""
    try:
        new_key, last_seq = _checked(peer, body)
        with node.store.write() as conn:
            updated = peers.rotate_key(conn, peer.node_id, new_key, last_seq, node.now())
            details: dict[str, Any] = {"peer": peer.node_id, "change": "key rotated"}
            details["last_seq"] = last_seq
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


def _checked(peer: Peer, body: bytes) -> tuple[bytes, int]:
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
    last_seq = fields.get("last_seq")
    if type(last_seq) is not int or not 0 <= last_seq <= SAFE_INT:
        raise BadInput("announcement needs last_seq, an integer >= 0", code="bad_rotation")
    if old != peer.identity.public_key:
        raise IntegrityFailure("old_public_key is not the peer's current key", code="bad_rotation")
    if not (verify_signature(old, message, sigs[0]) and verify_signature(new, message, sigs[1])):
        raise IntegrityFailure("announcement signatures do not verify", code="bad_rotation")
    return new, last_seq
