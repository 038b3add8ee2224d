"""A document asked of every active peer by PSI hit/no-hit: is it in their register
(`document_register`), and do their items name it (`document`: fraud reports, alerts …)?

Each peer learns only that one value was asked, with the justification; this node learns
hit or no-hit per set, and which node to ask. Neither register leaves its node. A peer that
cannot answer (unreachable, suspended since, over its rate limit) is reported with the error's
code, and the others are still asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csnet.correlation import psi_federation
from csnet.correlation.psi import DOCUMENT_REGISTER
from csnet.errors import CsnetError
from csnet.federation import peers
from csnet.federation.peers import Peer, PeerStatus
from csnet.node import Node


@dataclass(frozen=True)
class PeerAnswer:
    node_id: str
    name: str
    register: bool = False  # in the peer's stolen, lost and revoked register
    items: bool = False  # named in items the peer holds (fraud reports, alerts …)
    error: str | None = None  # the error's code when the peer did not answer

    @property
    def hits(self) -> int:
        return int(self.register) + int(self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node_id,
            "name": self.name,
            "hits": self.hits,
            "register": self.register,
            "items": self.items,
            "error": self.error,
        }


def active_peers(node: Node) -> list[Peer]:
    with node.store.read() as conn:
        listed = peers.list_peers(conn)
    return [p for p in listed if p.status is PeerStatus.ACTIVE]


def ask_peers(node: Node, document: str, justification: str, actor: str) -> list[PeerAnswer]:
    """Each active peer's hit/no-hit for this canonical document; every query audited."""
    return [_ask(node, peer, document, justification, actor) for peer in active_peers(node)]


def _ask(node: Node, peer: Peer, document: str, justification: str, actor: str) -> PeerAnswer:
    found: dict[str, bool] = {}
    try:
        for set_name in (DOCUMENT_REGISTER, "document"):
            result = psi_federation.hitcheck(
                node, peer.node_id, set_name, [document], justification, actor
            )
            found[set_name] = bool(result.hits)
    except CsnetError as exc:
        return PeerAnswer(peer.node_id, peer.identity.name, error=exc.error_code)
    return PeerAnswer(peer.node_id, peer.identity.name, found[DOCUMENT_REGISTER], found["document"])
