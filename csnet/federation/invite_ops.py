"""Issuing an invitation: one service for `csnet peer invite`, /admin/peers and the demo.

The URL in the invitation is where the acceptor will send its handshake and, later, where items
for us go: it must be one that keeps them confidential on the wire (peer_urls.py).
"""

from __future__ import annotations

from csnet.audit import AuditAction, append
from csnet.federation import invitations
from csnet.federation.local import federation_id, own_fingerprint, peer_entry, public_url
from csnet.federation.peer_urls import require_secure
from csnet.node import Node


def issue(node: Node, actor: str, *, hours: int, url: str | None = None) -> invitations.Invitation:
    """A one-time invitation to reach us at `url` (else our public URL), audited."""
    target = (url or public_url(node)).rstrip("/")
    require_secure(node, target)
    with node.store.write() as conn:
        invitation = invitations.create_invitation(
            conn,
            url=target,
            node_id=federation_id(node),
            fingerprint=own_fingerprint(node, conn),
            now=node.now(),
            hours=hours,
        )
        details = {"change": "invitation issued", "expires": invitation.to_json()["expires"]}
        append(conn, peer_entry(actor, AuditAction.PEER_CHANGE, details), node.now())
    return invitation
