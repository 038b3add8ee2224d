"""Pull by cursor: a peer asks for one origin's items after a sequence number.

Nothing depends on push alone: a node back after days offline pulls, page by page, every item of
each peer it may receive, and stores them through the same inbound checks as a pushed batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from csnet.audit import AuditAction, AuditEntry, append_many
from csnet.errors import BadInput, CsnetError
from csnet.federation import groups, inbox, outbox, relay
from csnet.federation.client import call_peer
from csnet.federation.peers import Peer, PeerStatus, list_peers
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store.tables import items, sync_cursors

MAX_PAGES = 10_000  # why: a misbehaving peer answering "more" forever must not pin the runner
_SCAN = 1000
_NODE_ID = re.compile(r"^csn[a-z2-7]{24}$")


@dataclass(frozen=True)
class Page:
    items: list[Any]  # wire objects
    next: int
    more: bool

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "next": self.next, "more": self.more}


def parse_query(origin: str | None, after: str | None, limit: str | None) -> tuple[str, int, int]:
    """origin (node id), after (>= 0) and limit (1-500, default 500), or bad_pull_query."""
    try:
        seq = int(after or "0")
        size = int(limit or str(outbox.MAX_BATCH_ITEMS))
    except ValueError:
        raise BadInput("after and limit are integers", code="bad_pull_query") from None
    if origin is None or not _NODE_ID.match(origin) or seq < 0 or not 1 <= size <= 500:
        raise BadInput("need origin=<node id>, after>=0, 1<=limit<=500", code="bad_pull_query")
    return origin, seq, size


def serve_page(node: Node, peer: Peer, origin: str, after: int, limit: int) -> Page:
    """Items of `origin` after `after`, in seq order, that `peer` may receive; audited."""
    with node.store.read() as conn:
        # why: group-addressed and GREEN items are served by the same rules as by push
        target = relay.Target(
            peer.node_id, peer.identity.country, groups.groups_of(conn, peer.node_id)
        )
        own = groups.groups_of(conn, node.node_id)
        chosen, cursor, more = _collect(conn, node.node_id, target, origin, after, limit, own)
    _audit_disclosure(node, peer, chosen)
    return Page([e.to_wire() for e in chosen], cursor, more)


def _collect(
    conn: Connection,
    self_id: str,
    target: relay.Target,
    origin: str,
    after: int,
    limit: int,
    own_groups: frozenset[str],
) -> tuple[list[Envelope], int, bool]:
    # why: the cursor moves past items the peer may not receive, so they are never re-scanned
    chosen: list[Envelope] = []
    size, cursor = 0, after
    while True:
        rows = _scan(conn, origin, cursor)
        for seq, raw in rows:
            if len(chosen) >= limit or size + len(raw) > outbox.MAX_BATCH_BYTES:
                return chosen, cursor, True
            env = Envelope.model_validate_json(raw)
            if relay.may_send(self_id, env, target, own_groups).allowed:
                chosen.append(env)
                size += len(raw)
            cursor = seq
        if len(rows) < _SCAN:
            return chosen, cursor, False


def _scan(conn: Connection, origin: str, after: int) -> list[tuple[int, bytes]]:
    query = (
        select(items.c.seq, items.c.envelope)
        .where(items.c.origin == origin, items.c.seq > after)
        .order_by(items.c.seq)
        .limit(_SCAN)
    )
    return [(int(seq), bytes(raw)) for seq, raw in conn.execute(query)]


def _audit_disclosure(node: Node, peer: Peer, envelopes: list[Envelope]) -> None:
    if envelopes:
        with node.store.write() as conn:
            append_many(conn, disclosures(peer.node_id, envelopes, "pull"), node.now())


def disclosures(peer: str, envelopes: list[Envelope], how: str) -> list[AuditEntry]:
    """LED Art 25: every transfer to a peer is logged with its recipient."""
    return [
        AuditEntry(
            actor="system",
            action=AuditAction.DISCLOSURE,
            item_id=env.id,
            justification="federation delivery under the peering agreement",
            recipients=(f"node:{peer}",),
            details={"kind": env.kind, "origin": env.origin, "seq": env.seq, "how": how},
            personal_data=bool(env.markings.subjects),
        )
        for env in envelopes
    ]


def pull_origin(node: Node, peer: Peer, origin: str) -> int:
    """Fetch every page of `origin`'s items from `peer`; returns how many were newly stored."""
    stored = 0
    for _ in range(MAX_PAGES):
        with node.store.read() as conn:
            after = inbox.cursor_of(conn, peer.node_id, origin)
        path = f"/federation/items?origin={origin}&after={after}&limit={outbox.MAX_BATCH_ITEMS}"
        page = _page(call_peer(node, peer, "GET", path).json(), after)
        stored += len(inbox.receive(node, peer, page.items, cursor=(origin, page.next)).stored)
        if not page.more:
            break
    return stored


def _page(data: Any, after: int) -> Page:
    ok = (
        isinstance(data, dict)
        and isinstance(data.get("items"), list)
        and isinstance(data.get("next"), int)
        and isinstance(data.get("more"), bool)
    )
    if not ok or data["next"] < after or (data["more"] and data["next"] == after):
        raise CsnetError("peer answered a malformed page", code="bad_peer_response")
    return Page(data["items"], data["next"], data["more"])


def pull_origins(conn: Connection, peer: str) -> list[str]:
    """The peer's own items, plus any origin we already follow through it."""
    query = select(sync_cursors.c.origin).where(sync_cursors.c.peer == peer)
    return sorted({peer, *conn.execute(query).scalars()})


def pull_peer(node: Node, peer: Peer) -> int:
    with node.store.read() as conn:
        origins = pull_origins(conn, peer.node_id)
    return sum(pull_origin(node, peer, origin) for origin in origins)


def active_peers(node: Node) -> list[Peer]:
    with node.store.read() as conn:
        return [p for p in list_peers(conn) if p.status is PeerStatus.ACTIVE]
