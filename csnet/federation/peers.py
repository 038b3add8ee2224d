"""The peer registry: who we federate with, under which key, and in which state.

A peer is keyed by the node id learned at the handshake; it stays the key of the record when the
peer rotates its signing key. Every key a peer ever held is kept in peer_keys; a retired one with
its date and the last seq the peer announced it sealed under it, so items numbered up to that
seq still verify under it and later ones never do (key_history; docs/federation.md §4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update

from csnet.errors import BadInput, Conflict, NotFound
from csnet.items.keys import (
    PUBLIC_KEY_BYTES,
    KeyHistory,
    b64url,
    b64url_decode,
    key_fingerprint,
    node_id_for,
)
from csnet.node import validate_identity_fields
from csnet.store.tables import peer_keys, peers

_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


class PeerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class PeerIdentity:
    """What a node says about itself in a handshake."""

    node_id: str
    name: str
    country: str
    agency: str
    url: str
    public_key: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "node_id": self.node_id,
            "name": self.name,
            "country": self.country,
            "agency": self.agency,
            "url": self.url,
            "public_key": b64url(self.public_key),
        }

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)


@dataclass(frozen=True)
class Peer:
    identity: PeerIdentity
    status: PeerStatus
    added: datetime
    updated: datetime

    @property
    def node_id(self) -> str:
        return self.identity.node_id


def identity_from_json(data: Any, *, first_key: bool = True) -> PeerIdentity:
    """Validate a peer's self-description; `first_key` also requires node_id == id of its key."""
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in _FIELDS):
        raise BadInput("identity needs string fields " + ", ".join(_FIELDS), code="bad_identity")
    key = b64url_decode(data["public_key"])
    if len(key) != PUBLIC_KEY_BYTES:
        raise BadInput("public_key is not an Ed25519 public key", code="bad_identity")
    if first_key and node_id_for(key) != data["node_id"]:
        raise BadInput("node_id is not derived from public_key", code="bad_identity")
    validate_identity_fields(data["name"], data["country"], data["agency"])
    if len(data["url"]) > 500 or not _URL.match(data["url"]):
        raise BadInput("url must be an http(s) URL without query", code="bad_identity")
    return PeerIdentity(**{k: data[k] for k in _FIELDS if k != "public_key"}, public_key=key)


_FIELDS = ("node_id", "name", "country", "agency", "url", "public_key")


def _peer(row: Any) -> Peer:
    identity = PeerIdentity(
        row.node_id, row.name, row.country, row.agency, row.url, b64url_decode(row.public_key)
    )
    return Peer(identity, PeerStatus(row.status), _utc(row.added), _utc(row.updated))


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def get_peer(conn: Connection, node_id: str) -> Peer | None:
    row = conn.execute(select(peers).where(peers.c.node_id == node_id)).first()
    return None if row is None else _peer(row)


def require_peer(conn: Connection, node_id: str) -> Peer:
    peer = get_peer(conn, node_id)
    if peer is None:
        raise NotFound(f"no peer {node_id}", code="unknown_peer")
    return peer


def list_peers(conn: Connection) -> list[Peer]:
    return [_peer(r) for r in conn.execute(select(peers).order_by(peers.c.name, peers.c.node_id))]


def add_peer(conn: Connection, identity: PeerIdentity, now: datetime) -> Peer:
    """Record a new active peer; repeating a handshake with the same key only refreshes it."""
    existing = get_peer(conn, identity.node_id)
    if existing is not None:
        if existing.status is not PeerStatus.ACTIVE or existing.identity.public_key != (
            identity.public_key
        ):
            raise Conflict(
                f"{identity.node_id} is already a peer ({existing.status})", code="already_peered"
            )
        values = {k: v for k, v in identity.to_json().items() if k in ("name", "agency", "url")}
        conn.execute(update(peers).where(peers.c.node_id == identity.node_id).values(**values))
        return require_peer(conn, identity.node_id)
    row = {**identity.to_json(), "status": PeerStatus.ACTIVE.value, "added": now, "updated": now}
    conn.execute(insert(peers).values(**row))
    conn.execute(
        insert(peer_keys).values(node_id=identity.node_id, public_key=row["public_key"], added=now)
    )
    return require_peer(conn, identity.node_id)


def set_status(conn: Connection, node_id: str, status: PeerStatus, now: datetime) -> Peer:
    """Suspend, resume or revoke. Revocation is final: a revoked peer must peer anew."""
    peer = require_peer(conn, node_id)
    if peer.status is PeerStatus.REVOKED and status is not PeerStatus.REVOKED:
        raise Conflict(f"{node_id} is revoked; revocation is final", code="peer_revoked")
    conn.execute(
        update(peers).where(peers.c.node_id == node_id).values(status=status.value, updated=now)
    )
    return require_peer(conn, node_id)


def rotate_key(
    conn: Connection, node_id: str, new_key: bytes, last_seq: int, now: datetime
) -> Peer:
    """Make `new_key` the peer's current key; its previous key is kept, retired after the peer's
    item `last_seq` (the last it sealed under that key)."""
    peer = require_peer(conn, node_id)
    encoded = b64url(new_key)
    if new_key == peer.identity.public_key or _held(conn, node_id, encoded):
        raise Conflict("that key was already used by this peer", code="key_reused")
    current = b64url(peer.identity.public_key)
    conn.execute(
        update(peer_keys)
        .where(peer_keys.c.node_id == node_id, peer_keys.c.public_key == current)
        .values(retired=now, last_seq=last_seq)
    )
    conn.execute(insert(peer_keys).values(node_id=node_id, public_key=encoded, added=now))
    conn.execute(
        update(peers).where(peers.c.node_id == node_id).values(public_key=encoded, updated=now)
    )
    return require_peer(conn, node_id)


def _held(conn: Connection, node_id: str, encoded: str) -> bool:
    query = select(peer_keys.c.added).where(
        peer_keys.c.node_id == node_id, peer_keys.c.public_key == encoded
    )
    return conn.execute(query).first() is not None


def key_history(conn: Connection, node_id: str) -> KeyHistory | None:
    """The peer's current key and its retired keys with their last seqs; None: not a peer."""
    rows = conn.execute(
        select(peer_keys.c.public_key, peer_keys.c.retired, peer_keys.c.last_seq).where(
            peer_keys.c.node_id == node_id
        )
    ).all()
    current = [r.public_key for r in rows if r.retired is None]
    if not current:
        return None
    # why: a key retired without a known last seq (see migration 0013) verifies no new item
    retired = [(b64url_decode(r.public_key), int(r.last_seq or 0)) for r in rows if r.retired]
    return KeyHistory(b64url_decode(current[0]), tuple(sorted(retired, key=lambda k: -k[1])))
