"""Sharing groups: named sets of nodes, owned by the node that created them.

A group's id commits to its owner: "grp-" + sha256(owner node id, name, creation time)[:20], so
a receiver checks that a membership item (kind "group") comes from the owner by recomputing the
id from the item's signed origin (the link rule, csnet/items/links.py); no other node can issue
changes for it. Each item carries the
whole membership after the change, and a node keeps the newest one (highest seq at the owner).
This module is this node's view of membership; owner-side changes are in group_ops.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from csnet.items.envelope import Envelope
from csnet.store.tables import group_members, sharing_groups

GROUP_KIND = "group"


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    owner: str
    created: str
    version: int
    members: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "owner": self.owner,
            "created": self.created,
            "members": sorted(self.members),
        }


def _from_item(env: Envelope) -> Group:
    body = env.body
    return Group(
        id=body["group_id"],
        name=body["name"],
        owner=env.origin,
        created=body["created"],
        version=env.seq,
        members=frozenset(body["members"]),
    )


@dataclass
class Membership:
    """This node's view of every group it knows; updated in memory while a batch is judged."""

    groups: dict[str, Group] = field(default_factory=dict)

    def of(self, node_id: str) -> frozenset[str]:
        """The ids of the groups `node_id` is a member of."""
        return frozenset(g.id for g in self.groups.values() if node_id in g.members)

    def newer(self, env: Envelope) -> Group | None:
        """The group state a checked membership item sets, if newer than what we hold."""
        if env.kind != GROUP_KIND:
            return None
        group = _from_item(env)
        held = self.groups.get(group.id)
        if held is not None and (held.owner != group.owner or held.version >= group.version):
            return None
        return group

    def apply(self, env: Envelope) -> None:
        group = self.newer(env)
        if group is not None:
            self.groups[group.id] = group


def load(conn: Connection) -> Membership:
    members: dict[str, set[str]] = {}
    for gid, node_id in conn.execute(select(group_members.c.group_id, group_members.c.node_id)):
        members.setdefault(gid, set()).add(node_id)
    view = Membership()
    for row in conn.execute(select(sharing_groups)).mappings():
        view.groups[row["id"]] = Group(
            id=row["id"],
            name=row["name"],
            owner=row["owner"],
            created=row["created"],
            version=int(row["version"]),
            members=frozenset(members.get(row["id"], ())),
        )
    return view


def groups_of(conn: Connection, node_id: str) -> frozenset[str]:
    query = select(group_members.c.group_id).where(group_members.c.node_id == node_id)
    return frozenset(conn.execute(query).scalars())


def get_group(conn: Connection, gid: str) -> Group | None:
    return load(conn).groups.get(gid)


def apply_items(conn: Connection, envelopes: Iterable[Envelope], now: datetime) -> list[Group]:
    """Write the membership the (already checked) group items set; older ones change nothing."""
    view = load(conn)
    changed: dict[str, Group] = {}
    for env in sorted(envelopes, key=lambda e: (e.origin, e.seq)):
        group = view.newer(env)
        if group is None:
            continue
        view.groups[group.id] = changed[group.id] = group
    for group in changed.values():
        conn.execute(delete(group_members).where(group_members.c.group_id == group.id))
        conn.execute(delete(sharing_groups).where(sharing_groups.c.id == group.id))
        conn.execute(
            sharing_groups.insert().values(
                id=group.id,
                name=group.name,
                owner=group.owner,
                created=group.created,
                version=group.version,
                updated=now,
            )
        )
        conn.execute(
            group_members.insert(), [{"group_id": group.id, "node_id": n} for n in group.members]
        )
    return list(changed.values())
