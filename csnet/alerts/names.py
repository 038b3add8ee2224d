"""Names people read instead of ids: this node's and its peers' names, sharing groups' names and
the display names of this node's members (other nodes do not share their members' names)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from csnet.node import Node
from csnet.store.tables import members, peers, sharing_groups


@dataclass(frozen=True)
class Names:
    """Node names (this node and its peers) and display names of this node's members."""

    nodes: dict[str, str]
    authors: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def group(self, group_id: str) -> str:
        return self.groups.get(group_id, group_id[:12])

    def node(self, node_id: str) -> str:
        return self.nodes.get(node_id, node_id[:12])

    def author(self, member_id: str) -> str:
        return self.authors.get(member_id, member_id)


def load_names(node: Node, author_ids: Iterable[str] = ()) -> Names:
    """Three queries at most, however many entries."""
    wanted = sorted(set(author_ids))
    with node.store.read() as conn:
        found = conn.execute(select(peers.c.node_id, peers.c.name))
        nodes = {str(n): str(name) for n, name in found}
        named = conn.execute(select(sharing_groups.c.id, sharing_groups.c.name))
        groups = {str(g): str(name) for g, name in named}
        authors: dict[str, str] = {}
        if wanted:
            query = select(members.c.id, members.c.display_name).where(members.c.id.in_(wanted))
            authors = {str(i): str(name) for i, name in conn.execute(query)}
    nodes[node.node_id] = node.identity.name
    return Names(nodes, authors, groups)
