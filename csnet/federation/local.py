"""This node as peers see it: its stable federation id, public URL and identity; audit helpers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from csnet.audit import AuditAction, AuditEntry, append
from csnet.federation.peers import PeerIdentity
from csnet.federation.requests import is_node_id
from csnet.items.keys import key_fingerprint
from csnet.node import Node

API_PREFIX = "/api/v1"


def federation_id(node: Node) -> str:
    """The node id peers know us by: recorded at `csnet init`, stable across key rotations."""
    return node.node_id


def own_fingerprint(node: Node, conn: Connection | None = None) -> str:
    """The fingerprint of the key this node signs with now (another process may have rotated
    it since this one started)."""
    return key_fingerprint(node.signing_key(conn).public_key)


def public_url(node: Node) -> str:
    """The configured public URL, else where `csnet serve` listens (https when it serves TLS)."""
    configured = str(node.settings.public_url).strip()
    scheme = "https" if node.settings.tls_enabled else "http"
    return (configured or f"{scheme}://{node.settings.host}:{node.settings.port}").rstrip("/")


def local_identity(node: Node) -> PeerIdentity:
    ident = node.identity
    return PeerIdentity(
        node_id=federation_id(node),
        name=ident.name,
        country=ident.country,
        agency=ident.agency,
        url=public_url(node),
        public_key=node.signing_key().public_key,
    )


def peer_actor(node_id: str | None) -> str:
    """'peer:<id>' for a well-formed node id, else 'system' (never log unchecked text as actor)."""
    return f"peer:{node_id}" if is_node_id(node_id) else "system"


def request_details(method: str, target: str) -> dict[str, str]:
    """How a refused request is named in the audit: its full path, once spelling for all
    ("/api/v1/federation/items", never "items"), and its query apart when it has one."""
    path, _, query = target.partition("?")
    details = {"method": method, "path": path[:200]}
    if query:
        details["query"] = query[:200]
    return details


def peer_entry(actor: str, action: AuditAction, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(actor=actor, action=action, details=details)


def audit_refusal(node: Node, origin: str | None, code: str, details: dict[str, Any]) -> None:
    """Log a refused peer request in its own transaction (the refused work was rolled back)."""
    claimed = origin if is_node_id(origin) else None
    entry = peer_entry(
        peer_actor(claimed), AuditAction.PEER_REFUSED, {"code": code, **details, "origin": claimed}
    )
    with node.store.write() as conn:
        append(conn, entry, node.now())
