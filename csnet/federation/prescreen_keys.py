"""Pre-screen keys: a sharing group's secret for keyed Bloom filters (correlation/prescreen.py).

The group's owner draws a fresh 32-byte key, epoch one higher than its last, whenever the
membership changes (and only when `prescreen_bloom` is on), and sends it as a signed item of kind
"prescreen_key" to the members after the change: a removed node never gets the new key. Every
node reads keys from the stored items of that kind whose origin is the group's owner; items from
any other origin are ignored, so no member can push a key of its own choosing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select

from csnet.federation.groups import Group
from csnet.handling.markings import TLP, Markings
from csnet.items.envelope import Audience, Envelope
from csnet.items.keys import b64url
from csnet.items.prescreen_key import KEY_BYTES, PrescreenKey
from csnet.items.signing import ItemDraft
from csnet.node import Node
from csnet.pipeline import seal
from csnet.pipeline.seal import NODE_AUTHOR
from csnet.pipeline.source import Source
from csnet.store.tables import items

KEY_KIND = "prescreen_key"


@dataclass(frozen=True, repr=False)
class GroupKey:
    group_id: str
    epoch: int
    secret: bytes

    def __repr__(self) -> str:
        return f"GroupKey({self.group_id}, epoch {self.epoch}, <secret>)"


def keys_of(conn: Connection, group: Group) -> dict[int, GroupKey]:
    """The keys the group's owner issued that this node holds, by epoch."""
    query = select(items.c.envelope).where(
        items.c.kind == KEY_KIND, items.c.origin == group.owner, items.c.tombstoned.is_(False)
    )
    found: dict[int, GroupKey] = {}
    for raw in conn.execute(query).scalars():
        body = PrescreenKey.model_validate(Envelope.model_validate_json(bytes(raw)).body)
        if body.group_id == group.id:
            found[body.epoch] = GroupKey(group.id, body.epoch, body.secret())
    return found


def current(conn: Connection, group: Group) -> GroupKey | None:
    """The newest key of the group, if this node holds any."""
    keys = keys_of(conn, group)
    return keys[max(keys)] if keys else None


def rotate(node: Node, conn: Connection, group: Group) -> Envelope | None:
    """At the owner, after a membership change: a fresh key for the members, if pre-screens
    are on (else nothing, and filters stay unavailable for the group)."""
    if not node.settings.prescreen_bloom or group.owner != node.node_id:
        return None
    return issue(node, conn, group)


def issue(node: Node, conn: Connection, group: Group) -> Envelope:
    """A fresh key, one epoch above the last, sent to the group's members (the caller checks
    that this node owns the group)."""
    epoch = max(keys_of(conn, group), default=0) + 1
    body = {"group_id": group.id, "epoch": epoch, "key": b64url(secrets.token_bytes(KEY_BYTES))}
    # why: AMBER keeps the key to the nodes named; relays never pass it on
    draft = ItemDraft(
        kind=KEY_KIND,
        author=NODE_AUTHOR,
        audience=Audience(nodes=tuple(sorted(group.members))),
        markings=Markings(tlp=TLP.AMBER),
        body=body,
    )
    return seal.issue(node, conn, draft, Source.node(node.node_id))
