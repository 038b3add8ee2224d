"""The peer registry as administrators use it: one service behind /admin/peers, `csnet peer`,
the compose pickers and the demo network.

A status change runs in a transaction of its own with its audit entry, so a refused change
(an unknown peer, resuming a revoked one) leaves neither a row nor a log line behind. The entry
reads the same whichever front-end acted: only the actor differs ("member:<id>" on the web,
"host:<user>" for the CLI). Invitations and handshakes have their services (invite_ops.py,
handshake.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from csnet.accounts.members import Member, list_members
from csnet.audit import AuditAction, append
from csnet.federation import groups as sharing_groups
from csnet.federation import peers
from csnet.federation.groups import Group
from csnet.federation.local import peer_entry
from csnet.federation.peers import Peer, PeerStatus
from csnet.node import Node


@dataclass(frozen=True)
class Addressees:
    """Whom this node's members may address an item to, read at one moment."""

    groups: list[Group]  # the sharing groups this node belongs to, by name
    peers: list[Peer]  # active peers only: the others refuse or never get items
    members: list[Member]  # this node's enabled members


def list_peers(node: Node) -> list[Peer]:
    """Every peer this node has recorded, whatever its status, by name."""
    with node.store.read() as conn:
        return peers.list_peers(conn)


def find(node: Node, node_id: str) -> Peer | None:
    with node.store.read() as conn:
        return peers.get_peer(conn, node_id)


def set_status(node: Node, actor: str, node_id: str, status: PeerStatus) -> Peer:
    """Suspend, resume or revoke a peer (revocation is final: peers.py refuses to undo it)."""
    with node.store.write() as conn:
        peer = peers.set_status(conn, node_id, status, node.now())
        details = {"peer": node_id, "change": status.value}
        append(conn, peer_entry(actor, AuditAction.PEER_CHANGE, details), node.now())
    return peer


def addressees(node: Node) -> Addressees:
    """Groups, active peers and members in one read, so the pickers agree with each other."""
    with node.store.read() as conn:
        view = sharing_groups.load(conn)
        known = peers.list_peers(conn)
        people = list_members(conn)
    mine = sorted((g for g in view.groups.values() if node.node_id in g.members), key=_name)
    active = [p for p in known if p.status is PeerStatus.ACTIVE]
    return Addressees(mine, active, people)


def _name(group: Group) -> str:
    return group.name
