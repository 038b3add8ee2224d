"""Where a batch of items comes from: this node (a member or the node itself) or a peer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Via(StrEnum):
    LOCAL = "local"  # sealed here
    PUSH = "push"  # a batch a peer pushed
    PULL = "pull"  # a page this node pulled from a peer


@dataclass(frozen=True)
class Source:
    via: Via
    actor: str  # as the audit log names it: "member:<id>", "node:<its id>", "peer:<node id>"
    peer: str | None = None  # the node that sent the items, for received ones
    justification: str | None = None
    # False: the caller audits the act that issued the items (a group change, a consent), in
    # the same transaction, with the entry of that act; one entry, not two
    audit: bool = True

    @property
    def received(self) -> bool:
        return self.via is not Via.LOCAL

    @classmethod
    def member(cls, member_id: str, justification: str | None = None) -> Source:
        return cls(Via.LOCAL, f"member:{member_id}", justification=justification)

    @classmethod
    def node(cls, node_id: str, *, audit: bool = True) -> Source:
        """The node's own act (membership, group keys, consents), not a member's."""
        return cls(Via.LOCAL, f"node:{node_id}", audit=audit)

    @classmethod
    def peer_node(cls, node_id: str, via: Via = Via.PUSH) -> Source:
        return cls(via, f"peer:{node_id}", peer=node_id)
