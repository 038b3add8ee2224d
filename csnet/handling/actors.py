"""Who asks: a member of a node (a person with a role) or a peer node acting as a whole."""

from __future__ import annotations

from dataclasses import dataclass

from csnet.handling.roles import Role


@dataclass(frozen=True, slots=True)
class MemberActor:
    """A person on a node; `groups` are the sharing groups that node belongs to."""

    member_id: str
    node_id: str
    country: str | None  # ISO 3166-1 alpha-2; None for international bodies
    role: Role
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PeerActor:
    """A peer node receiving, holding or passing on items; roles do not apply to it."""

    node_id: str
    country: str | None
    groups: frozenset[str] = frozenset()


Actor = MemberActor | PeerActor
