"""Receiving items from a peer (pushed batches and pulled pages) through one set of checks.

The request was already authenticated (known active peer, signature, freshness: inbound.py).
Each item is then judged on its own, in the order the design fixes: item signature and hash →
receiver in the audience → markings allow (relay rules) → body schema. Accepted items, their
audit entries, refusal audit entries, relay outbox rows and the pull cursor are written in one
transaction; refused items are never stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update

from csnet.audit import AuditAction, AuditEntry, append_many
from csnet.bus import Event
from csnet.errors import BadInput, CsnetError, Forbidden, TooLarge
from csnet.federation import groups, outbox, relay
from csnet.federation.local import audit_refusal, peer_actor
from csnet.federation.peers import Peer, known_keys
from csnet.items.envelope import Envelope
from csnet.items.kinds import validate_draft
from csnet.items.signing import check_signature_only, parse_envelope
from csnet.node import Node
from csnet.store import item_store
from csnet.store.tables import items, sync_cursors

Lookup = Callable[[str], list[bytes]]


@dataclass(frozen=True)
class Refusal:
    index: int
    item_id: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.item_id, "code": self.code, "message": self.message}


@dataclass
class Receipt:
    accepted: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    stored: list[Envelope] = field(default_factory=list)  # newly stored (not held before)

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "refused": [r.to_json() for r in self.refused]}


def _lookup(node: Node, conn: Connection) -> Lookup:
    cache: dict[str, list[bytes]] = {node.node_id: [node.key.public_key]}

    def keys(origin: str) -> list[bytes]:
        # why: a third node's key is known from our own peering with it; else unknown_origin
        if origin not in cache:
            cache[origin] = known_keys(conn, origin)
        return cache[origin]

    return keys


def check_item(
    node: Node, sender: Peer, raw: Any, keys: Lookup, view: groups.Membership
) -> Envelope:
    """One item through the inbound checks, in order; raises the first failure.

    Group audiences are judged by `view`: this node's membership, as the owners' items set it.
    """
    check_signature_only(raw, keys)
    env = parse_envelope(raw)
    country = node.identity.country
    mine = view.of(node.node_id)
    if not relay.may_receive(node.node_id, country, env, mine).allowed:
        raise Forbidden("this node is not in the item's audience", code="not_in_audience")
    source = relay.Target(sender.node_id, None, view.of(sender.node_id))
    if not relay.relay_allowed(source, node.node_id, country, env, mine).allowed:
        raise Forbidden("the markings do not let the sender pass it on", code="relay_forbidden")
    validate_draft(env)
    if env.kind == groups.GROUP_KIND:
        groups.check_change(env)
    return env


def _item_id(raw: Any) -> str | None:
    found = raw.get("id") if isinstance(raw, dict) else None
    return found if isinstance(found, str) and len(found) == 64 else None


def _judge(node: Node, sender: Peer, raws: Sequence[Any]) -> tuple[list[Envelope], Receipt]:
    receipt = Receipt()
    chosen: dict[str, Envelope] = {}
    with node.store.read() as conn:
        keys = _lookup(node, conn)
        view = groups.load(conn)
        for index, raw in enumerate(raws):
            try:
                env = check_item(node, sender, raw, keys, view)
            except CsnetError as exc:
                receipt.refused.append(Refusal(index, _item_id(raw), exc.error_code, exc.message))
                continue
            chosen.setdefault(env.id, env)
            view.apply(env)  # why: later items of the batch may be addressed to a group just joined
    receipt.accepted = list(chosen)
    return list(chosen.values()), receipt


def receive_batch(node: Node, sender: Peer, body: bytes) -> Receipt:
    """A pushed batch `{"items": [...]}`: the batch as a whole is refused only if malformed."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    raws = data.get("items") if isinstance(data, dict) else None
    try:
        if not isinstance(raws, list) or set(data) != {"items"}:
            raise BadInput('a batch is {"items": [<item>, ...]}', code="bad_batch")
        if len(raws) > outbox.MAX_BATCH_ITEMS:
            raise TooLarge(
                f"at most {outbox.MAX_BATCH_ITEMS} items a batch", code="batch_too_large"
            )
    except CsnetError as exc:
        audit_refusal(node, sender.node_id, exc.error_code, {"method": "POST", "path": "items"})
        raise
    return receive(node, sender, raws)


def receive(
    node: Node, sender: Peer, raws: Sequence[Any], cursor: tuple[str, int] | None = None
) -> Receipt:
    """Check, store and audit a batch from `sender`; then announce new items on the bus."""
    envelopes, receipt = _judge(node, sender, raws)
    with node.store.write() as conn:
        held = set(
            conn.execute(select(items.c.id).where(items.c.id.in_(receipt.accepted))).scalars()
        )
        receipt.stored = [e for e in envelopes if e.id not in held]
        item_store.insert_items(conn, [(e, e.to_bytes()) for e in receipt.stored], node.now())
        groups.apply_items(conn, receipt.stored, node.now())  # before enqueue resolves groups
        append_many(conn, _entries(sender, receipt), node.now())
        outbox.enqueue(conn, node.node_id, receipt.stored, node.now(), sender=sender.node_id)
        if cursor is not None:
            advance_cursor(conn, sender.node_id, *cursor)
    # Only after the commit, as for local publishing: members see received items live.
    fresh = receipt.stored
    if fresh:
        node.bus.publish([Event.item(e.id, e.origin, e.kind, e.created) for e in fresh])
        node.outbox_ready.set()  # a running delivery runner pushes at once
    return receipt


def _entries(sender: Peer, receipt: Receipt) -> list[AuditEntry]:
    actor = peer_actor(sender.node_id)
    stored = [
        AuditEntry(
            actor=actor,
            action=AuditAction.COLLECTION,
            item_id=env.id,
            details={"kind": env.kind, "origin": env.origin, "seq": env.seq, "via": "federation"},
        )
        for env in receipt.stored
    ]
    refused = [
        AuditEntry(
            actor=actor,
            action=AuditAction.PEER_REFUSED,
            item_id=r.item_id,
            details={"code": r.code, "origin": sender.node_id, "index": r.index, "what": "item"},
        )
        for r in receipt.refused
    ]
    return stored + refused


def cursor_of(conn: Connection, peer: str, origin: str) -> int:
    query = select(sync_cursors.c.last_seq).where(
        sync_cursors.c.peer == peer, sync_cursors.c.origin == origin
    )
    return int(conn.execute(query).scalar() or 0)


def advance_cursor(conn: Connection, peer: str, origin: str, last_seq: int) -> None:
    current = conn.execute(
        select(sync_cursors.c.last_seq).where(
            sync_cursors.c.peer == peer, sync_cursors.c.origin == origin
        )
    ).first()
    if current is None:
        conn.execute(sync_cursors.insert().values(peer=peer, origin=origin, last_seq=last_seq))
    elif last_seq > int(current[0]):
        conn.execute(
            update(sync_cursors)
            .where(sync_cursors.c.peer == peer, sync_cursors.c.origin == origin)
            .values(last_seq=last_seq)
        )
