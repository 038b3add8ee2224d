"""Sharing groups: the one service behind /admin/groups, the groups API and `csnet group`.
Owner-side changes (create, add by invitation, remove, rekey) each run in a transaction of their
own with their audit entry, the same whichever front-end acted; and the lists they show.

Joining is by the owner's invitation, explicitly: the owner adds a node it is already peered
with (`csnet group add GROUP NODE`), and the change is a signed item of kind "group" addressed
to every member (and to the removed node, so it learns it left). Ordinary signed-item delivery
carries it; each receiver applies it only because it comes from the owner (groups.py).
"""

from __future__ import annotations

from sqlalchemy import Connection

from csnet import safe_text
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import BadInput, Conflict, Forbidden, NotFound
from csnet.federation import groups, prescreen_keys
from csnet.federation.peers import PeerStatus, require_peer
from csnet.handling.markings import TLP, Markings
from csnet.items import links
from csnet.items.bodies import GroupAction
from csnet.items.envelope import Audience, Envelope
from csnet.items.fields import format_utc
from csnet.items.signing import ItemDraft
from csnet.node import Node
from csnet.pipeline.seal import NODE_AUTHOR, issue, issuing
from csnet.pipeline.source import Source


def _issue(
    node: Node,
    conn: Connection,
    group: groups.Group,
    action: GroupAction,
    member: str | None,
    audience: frozenset[str],
) -> Envelope:
    body = {
        "group_id": group.id,
        "name": group.name,
        "created": group.created,
        "action": action.value,
        "members": sorted(group.members),
        **({"member": member} if member else {}),
    }
    # why: AMBER keeps the membership list to the members; relays never pass it on
    draft = ItemDraft(
        kind=groups.GROUP_KIND,
        author=NODE_AUTHOR,
        audience=Audience(nodes=tuple(sorted(audience))),
        markings=Markings(tlp=TLP.AMBER),
        body=body,
    )
    # why: the group change is audited as such by the caller (`_audit`)
    env = issue(node, conn, draft, Source.node(node.node_id, audit=False))
    prescreen_keys.rotate(node, conn, group)  # why: a removed member must not get the next key
    return env


def _audit(
    node: Node, conn: Connection, actor: str, env: Envelope, group: groups.Group, change: str
) -> None:
    entry = AuditEntry(
        actor=actor,
        action=AuditAction.PEER_CHANGE,
        item_id=env.id,
        recipients=tuple(f"node:{n}" for n in env.audience.nodes),
        details={"change": change, "group": group.id, "name": group.name},
    )
    append(conn, entry, node.now())


def _owned(node: Node, conn: Connection, gid: str) -> groups.Group:
    group = groups.get_group(conn, gid)
    if group is None:
        raise NotFound(f"no sharing group {gid}", code="no_group")
    if group.owner != node.node_id:
        raise Forbidden("only the group's owner node changes its membership", code="not_owner")
    return group


def known(node: Node) -> list[groups.Group]:
    """Every group this node knows of, owned, joined or left, by name."""
    with node.store.read() as conn:
        view = groups.load(conn)
    return sorted(view.groups.values(), key=_name)


def joined(node: Node) -> list[groups.Group]:
    """The groups this node belongs to now (owned or joined), by name."""
    return [g for g in known(node) if node.node_id in g.members]


def _name(group: groups.Group) -> str:
    return group.name


def create(node: Node, name: str, actor: str) -> groups.Group:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise BadInput("a group name has 1 to 200 characters", code="bad_group_name")
    safe_text.require_line(name, "name", code="bad_group_name")
    with issuing(node) as conn:
        created = format_utc(node.now())
        gid = links.group_id(node.node_id, name, created)
        if groups.get_group(conn, gid) is not None:
            raise Conflict(f"group {gid} exists", code="group_exists")
        group = groups.Group(gid, name, node.node_id, created, 0, frozenset({node.node_id}))
        env = _issue(node, conn, group, GroupAction.CREATE, None, group.members)
        _audit(node, conn, actor, env, group, "group created")
    return group


def add(node: Node, gid: str, member: str, actor: str) -> groups.Group:
    """Invite a peered node into a group this node owns; every member learns the change."""
    with issuing(node) as conn:
        group = _owned(node, conn, gid)
        if member in group.members:
            raise Conflict(f"{member} is already a member", code="already_member")
        if require_peer(conn, member).status is not PeerStatus.ACTIVE:
            raise Conflict(f"peer {member} is not active", code="peer_not_active")
        after = group.members | {member}
        changed = groups.Group(group.id, group.name, group.owner, group.created, 0, after)
        env = _issue(node, conn, changed, GroupAction.ADD, member, after)
        _audit(node, conn, actor, env, group, f"added {member}")
    return changed


def remove(node: Node, gid: str, member: str, actor: str) -> groups.Group:
    """Take a node out of a group this node owns; it is told too, and stops receiving its items."""
    with issuing(node) as conn:
        group = _owned(node, conn, gid)
        if member == node.node_id:
            raise BadInput("the owner node cannot leave its own group", code="owner_stays")
        if member not in group.members:
            raise NotFound(f"{member} is not a member of {gid}", code="not_member")
        after = group.members - {member}
        changed = groups.Group(group.id, group.name, group.owner, group.created, 0, after)
        env = _issue(node, conn, changed, GroupAction.REMOVE, member, group.members)
        _audit(node, conn, actor, env, group, f"removed {member}")
    return changed


def rekey(node: Node, gid: str, actor: str) -> groups.Group:
    """A fresh pre-screen key for a group this node owns: for a group made before pre-screens
    were turned on, or to retire a key that may have leaked."""
    if not node.settings.prescreen_bloom:
        raise Conflict("pre-screens are off (setting prescreen_bloom)", code="prescreen_disabled")
    with issuing(node) as conn:
        group = _owned(node, conn, gid)
        env = prescreen_keys.issue(node, conn, group)
        _audit(node, conn, actor, env, group, f"pre-screen key, epoch {env.body['epoch']}")
    return group
