"""Pull by cursor: a peer asks for one origin's items after a sequence number.

Nothing depends on push alone: a node back after days offline pulls, page by page, every item of
each peer it may receive, and stores them through the same inbound checks as a pushed batch.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, true

from csnet.audit import AuditAction, AuditEntry, append_many
from csnet.errors import BadInput, CsnetError
from csnet.federation import consent, groups, inbox, outbox
from csnet.federation.client import call_peer
from csnet.federation.peers import Peer, PeerStatus, key_history, list_peers
from csnet.handling.markings import TLP
from csnet.items import relay
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store import item_store
from csnet.store.tables import items, peers, sync_cursors
from csnet.transport import PeerError

log = logging.getLogger(__name__)
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


MAX_SEQ = 2**63 - 1  # the store's integers (SQLite INTEGER, PostgreSQL bigint)


def parse_query(origin: str | None, after: str | None, limit: str | None) -> tuple[str, int, int]:
    """origin (node id), after (>= 0) and limit (1-500, default 500), or bad_pull_query."""
    try:
        seq = int(after or "0")
        size = int(limit or str(outbox.MAX_BATCH_ITEMS))
    except ValueError:
        raise BadInput("after and limit are integers", code="bad_pull_query") from None
    if (
        origin is None
        or not _NODE_ID.match(origin)
        or not 0 <= seq <= MAX_SEQ
        or not 1 <= size <= 500
    ):
        raise BadInput("need origin=<node id>, 0<=after<2^63, 1<=limit<=500", code="bad_pull_query")
    return origin, seq, size


@dataclass(frozen=True)
class _Sender:
    """This node as a sender, for one request: what `relay.may_send` needs besides the item."""

    node_id: str
    groups: frozenset[str]
    consents: consent.View
    now: datetime

    def allows(self, env: Envelope, target: relay.Target) -> bool:
        scope = self.consents.scope(env, self.now)
        return relay.may_send(self.node_id, env, target, self.groups, scope).allowed

    def consent_for(self, env: Envelope) -> consent.Grant | None:
        """The consent under which we relay `env` (another origin's H2 item), if any."""
        if env.origin == self.node_id or self.consents.scope(env, self.now) is None:
            return None
        return self.consents.grant(env.id, env.origin)


def _sender(node: Node, conn: Connection) -> _Sender:
    return _Sender(
        node.node_id, groups.groups_of(conn, node.node_id), consent.View(conn), node.now()
    )


def _target(conn: Connection, peer: Peer) -> relay.Target:
    # why: group-addressed and GREEN items are served by the same rules as by push
    return relay.Target(peer.node_id, peer.identity.country, groups.groups_of(conn, peer.node_id))


def serve_page(node: Node, peer: Peer, origin: str, after: int, limit: int) -> Page:
    """Items of `origin` after `after`, in seq order, that `peer` may receive; audited."""
    with node.store.read() as conn:
        sender, target = _sender(node, conn), _target(conn, peer)
        # why: what is still queued for push is on its way; serving it too would send it twice
        first, failing = outbox.push_state(conn, peer.node_id, origin)
        before = None if failing else first
        chosen, cursor, more = _collect(conn, sender, target, origin, after, limit, before)
        chosen = _with_consents(conn, sender, target, chosen)
    _record_served(node, peer, chosen, push_failing=failing, last_page=not more)
    return Page([e.to_wire() for e in chosen], cursor, more)


def _record_served(
    node: Node, peer: Peer, envelopes: list[Envelope], *, push_failing: bool, last_page: bool
) -> None:
    """Audit the disclosures. When pushes to the peer were failing, what the pull served
    leaves the outbox (the peer's cursor brings it back if it is lost on the way); after the
    last page, since the peer evidently is up, its backoff ends and push resumes now."""
    if not envelopes and not push_failing:
        return
    resume = push_failing and last_page
    with node.store.write() as conn:
        append_many(conn, disclosures(peer.node_id, envelopes, "pull"), node.now())
        if push_failing:
            outbox.remove(conn, peer.node_id, [env.id for env in envelopes])
        if resume:
            outbox.retry_now(conn, peer.node_id, node.now())
    if resume:
        node.work.notify()


def _collect(
    conn: Connection,
    sender: _Sender,
    target: relay.Target,
    origin: str,
    after: int,
    limit: int,
    before: int | None = None,
) -> tuple[list[Envelope], int, bool]:
    """Up to `limit` items after seq `after` (and before seq `before`, when given)."""
    # why: the cursor moves past items the peer may not receive, so they are never re-scanned
    chosen: list[Envelope] = []
    size, cursor = 0, after
    while True:
        rows = _scan(conn, origin, cursor, before)
        for seq, raw in rows:
            if len(chosen) >= limit or size + len(raw) > outbox.MAX_BATCH_BYTES:
                return chosen, cursor, True
            env = Envelope.model_validate_json(raw)
            if sender.allows(env, target):
                chosen.append(env)
                size += len(raw)
            cursor = seq
        if len(rows) < _SCAN:
            return chosen, cursor, False


def _with_consents(
    conn: Connection, sender: _Sender, target: relay.Target, chosen: list[Envelope]
) -> list[Envelope]:
    """An H2 item relayed under a consent comes right after that consent (unless the page has
    it already), so the page passes the receiver's checks whatever its bounds."""
    page: list[Envelope] = []
    present = {env.id for env in chosen}
    for env in chosen:
        grant = sender.consent_for(env)
        if grant is not None and grant.consent_id not in present:
            held = item_store.get_item(conn, grant.consent_id)
            if held is not None and sender.allows(held.envelope, target):
                page.append(held.envelope)
                present.add(grant.consent_id)
        page.append(env)
    return page


def _scan(conn: Connection, origin: str, after: int, before: int | None) -> list[tuple[int, bytes]]:
    query = (
        select(items.c.seq, items.c.envelope)
        .where(items.c.origin == origin, items.c.seq > after)
        .where(items.c.seq < before if before is not None else true())
        .order_by(items.c.seq)
        .limit(_SCAN)
    )
    return [(int(seq), bytes(raw)) for seq, raw in conn.execute(query)]


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
    """Fetch every page of `origin`'s items from `peer`; returns how many were newly stored.
    Page N+1 is fetched while page N is verified and stored (one page ahead, a thread only
    once a page says there is more); pages are stored strictly in order, each with its cursor."""
    if not _verifiable(node, origin):
        # why: each item would be refused (unknown_origin) while the cursor moved past it
        log.info("not pulling %s via %s: its key is unknown here", origin, peer.node_id)
        return 0
    with node.store.read() as conn:
        after = inbox.cursor_of(conn, peer.node_id, origin)
    page = _fetch(node, peer, origin, after)
    stored = 0
    with ExitStack() as stack:
        ahead: ThreadPoolExecutor | None = None
        for _ in range(MAX_PAGES):
            following: Future[Page] | None = None
            if page.more:
                ahead = ahead or stack.enter_context(ThreadPoolExecutor(1, "csnet-pull"))
                following = ahead.submit(_fetch, node, peer, origin, page.next)
            stored += len(inbox.receive(node, peer, page.items, cursor=(origin, page.next)).stored)
            if following is None:
                break
            page = following.result()  # why: a failed fetch raises here, page N already stored
    return stored


def _fetch(node: Node, peer: Peer, origin: str, after: int) -> Page:
    path = f"/federation/items?origin={origin}&after={after}&limit={outbox.MAX_BATCH_ITEMS}"
    return _page(call_peer(node, peer, "GET", path).json(), after)


def _verifiable(node: Node, origin: str) -> bool:
    """Can we check `origin`'s signatures? Only with a key learnt by peering with it."""
    if origin == node.node_id:
        return True
    with node.store.read() as conn:
        return key_history(conn, origin) is not None


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
    """Pull the peer's own items, the origins we follow through it, and the other origins it
    lists as holding items for us (docs/federation.md §6), each from its cursor."""
    listed = ask_origins(node, peer)
    with node.store.read() as conn:
        followed = pull_origins(conn, peer.node_id)
        every = sorted({*followed, *listed} - {node.node_id})
        origins = [o for o in every if _due(conn, peer, o, listed)]
    return sum(pull_origin(node, peer, origin) for origin in origins)


def _due(conn: Connection, peer: Peer, origin: str, listed: dict[str, int]) -> bool:
    """Worth asking for? The listing names each origin's newest item we may get, so one listed
    at or below our cursor has nothing new; the peer's own and unlisted ones are always asked."""
    if origin == peer.node_id or origin not in listed:
        return True
    return listed[origin] > inbox.cursor_of(conn, peer.node_id, origin)


def active_peers(node: Node) -> list[Peer]:
    with node.store.read() as conn:
        return [p for p in list_peers(conn) if p.status is PeerStatus.ACTIVE]


# Listing the origins a peer may pull from us (GET /federation/origins).
ORIGINS_PATH = "/federation/origins"
MAX_LISTED = 10_000  # why: a listing is one line per peered node; more is a misbehaving peer
ORIGIN_ROWS = 500  # newest items per origin whose label is looked at
ORIGIN_PARSED = 32  # of those, at most this many envelopes are parsed and judged
_RELAYABLE = (TLP.CLEAR.value, TLP.GREEN.value)  # policy never lets a recipient pass on others


def list_origins(node: Node, peer: Peer) -> list[dict[str, Any]]:
    """Other origins whose items we hold and may pass to `peer`, each with the highest seq of
    such an item: policy-filtered, so an origin appears only if the peer may get one of its
    items, and the seq is that item's.

    Bounded work per call: origins are our peers (we hold another node's items only if its key,
    learnt by peering, verified them), and each is judged by its newest ORIGIN_ROWS items, of
    which only CLEAR and GREEN ones (at most ORIGIN_PARSED) are parsed. An origin whose newest
    items are all ones the peer may not get is left out until it has a newer one; an origin
    the peer already follows through us is pulled anyway.
    """
    with node.store.read() as conn:
        sender, target = _sender(node, conn), _target(conn, peer)
        found = []
        for origin in _candidates(conn, node.node_id, peer.node_id):
            seq = _highest_sendable(conn, sender, target, origin)
            if seq is not None:
                found.append({"origin": origin, "seq": seq})
    return found


def _candidates(conn: Connection, self_id: str, peer_id: str) -> list[str]:
    query = select(peers.c.node_id).where(peers.c.node_id.notin_([self_id, peer_id]))
    return sorted(conn.execute(query).scalars())


def _highest_sendable(
    conn: Connection, sender: _Sender, target: relay.Target, origin: str
) -> int | None:
    newest = (
        select(items.c.seq, items.c.tlp)
        .where(items.c.origin == origin)
        .order_by(items.c.seq.desc())
        .limit(ORIGIN_ROWS)
    )
    seqs = [int(seq) for seq, tlp in conn.execute(newest) if tlp in _RELAYABLE][:ORIGIN_PARSED]
    if not seqs:
        return None
    query = (
        select(items.c.seq, items.c.envelope)
        .where(items.c.origin == origin, items.c.seq.in_(seqs))
        .order_by(items.c.seq.desc())
    )
    for seq, raw in conn.execute(query):
        if sender.allows(Envelope.model_validate_json(bytes(raw)), target):
            return int(seq)
    return None


def ask_origins(node: Node, peer: Peer) -> dict[str, int]:
    """The peer's listing, origin -> highest seq; empty from a node that has none (older)."""
    try:
        data = call_peer(node, peer, "GET", ORIGINS_PATH).json()
    except PeerError as exc:
        if exc.http_status != 404:
            raise
        log.info("peer %s lists no origins (%s); pulling what we follow", peer.node_id, exc)
        return {}
    return _listing(data)


def _listing(data: Any) -> dict[str, int]:
    listed = data.get("origins") if isinstance(data, dict) else None
    if not isinstance(listed, list) or len(listed) > MAX_LISTED:
        raise _malformed_listing()
    found: dict[str, int] = {}
    for entry in listed:
        origin = entry.get("origin") if isinstance(entry, dict) else None
        seq = entry.get("seq") if isinstance(entry, dict) else None
        if not isinstance(origin, str) or not _NODE_ID.match(origin):
            raise _malformed_listing()
        if type(seq) is not int or seq < 1:
            raise _malformed_listing()
        found[origin] = seq
    return found


def _malformed_listing() -> CsnetError:
    return CsnetError("peer answered a malformed origin listing", code="bad_peer_response")
