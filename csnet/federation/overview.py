"""The federation's figures on the administration overview: this node's peers (how many of them
active) and the sharing groups it belongs to, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from csnet.federation import groups, peers
from csnet.federation.peers import PeerStatus
from csnet.node import Node


@dataclass(frozen=True)
class FederationCounts:
    peers: int
    active_peers: int
    groups: int


def counts(node: Node) -> FederationCounts:
    with node.store.read() as conn:
        found = peers.list_peers(conn)
        joined = groups.load(conn).of(node.node_id)
    active = sum(p.status is PeerStatus.ACTIVE for p in found)
    return FederationCounts(peers=len(found), active_peers=active, groups=len(joined))
