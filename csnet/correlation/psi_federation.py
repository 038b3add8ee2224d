"""Hit/no-hit between nodes: the holder answers `POST /api/v1/federation/psi`, the asker runs
`hitcheck`. Both sides audit the query with its justification, never the values.

Holder: body {"type", "points", "justification"} from an authenticated peer → checks (shape,
type, justification, count, per-peer rate) → {"answered", "holder"} over the values this node
holds (psi_store.held_values). Asker: the distinct values, in queries that fit the peer's body
limit; which of them the peer holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from csnet.audit import AuditAction, AuditEntry, append
from csnet.audit.entries import MAX_JUSTIFICATION
from csnet.correlation import psi, psi_pool, psi_store, psi_wire
from csnet.correlation.psi_limits import PsiLimiter
from csnet.errors import BadInput, CsnetError, Forbidden
from csnet.federation import peers
from csnet.federation.client import call_peer
from csnet.federation.local import API_PREFIX, audit_refusal, request_details
from csnet.federation.peers import Peer, PeerStatus
from csnet.items import strict_json
from csnet.node import Node

PATH = "/federation/psi"
_POINT_JSON_BYTES = 46  # 43 base64url characters, two quotes and a comma
_ENVELOPE_BYTES = 1024  # the rest of the body, besides the points and the justification
_FIELDS = frozenset({"type", "points", "justification"})
_limiters: dict[str, PsiLimiter] = {}
# A pre-screen (prescreen_ops.py): of the distinct values asked, those worth asking by PSI, or
# None when there is no screen to apply and every value goes to PSI.
Screen = Callable[[Peer, list[str]], list[str] | None]


@dataclass(frozen=True)
class PsiRequest:
    type_name: str
    points: list[bytes]
    justification: str


def limiter_for(node: Node) -> PsiLimiter:
    """The per-peer limits of this node, kept in this process's memory."""
    return _limiters.setdefault(node.node_id, PsiLimiter())


def max_points(node: Node) -> int:
    """Points per query: MAX_QUERY_POINTS, or fewer if the body would pass the size limit
    (csnet assumes a peer's limit equals its own, as for item batches)."""
    room = int(node.settings.max_request_bytes) - _ENVELOPE_BYTES - 6 * MAX_JUSTIFICATION
    return max(1, min(psi.MAX_QUERY_POINTS, room // _POINT_JSON_BYTES))


def justification_of(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise BadInput("a PSI query needs a justification", code="justification_required")
    if len(text) > MAX_JUSTIFICATION:
        raise BadInput(f"justification is longer than {MAX_JUSTIFICATION} characters")
    return text


def parse_request(body: bytes, limit: int) -> PsiRequest:
    try:
        data = strict_json.loads(body, what="PSI query")
    except BadInput:
        data = None  # why: TooLarge (too deep) keeps its own code; the rest is one bad message
    if not isinstance(data, dict) or set(data) != _FIELDS or not isinstance(data["type"], str):
        raise psi.PsiError(
            'body must be {"type", "points", "justification"}', code="psi_bad_message"
        )
    psi.type_tag(data["type"])  # unknown types are refused
    justification = justification_of(data["justification"])
    points = psi_wire.decode_points(data["points"], "asked", limit)
    if not points:  # why: answering would hand over the blinded set, and its size, for nothing
        raise psi.PsiError("a PSI query asks at least one point", code="psi_empty_query")
    return PsiRequest(data["type"], points, justification)


def serve(node: Node, peer: Peer, body: bytes) -> dict[str, list[str]]:
    """Answer a peer's PSI query; every refusal is audited as `peer_refused`."""
    try:
        request = parse_request(body, max_points(node))
        limiter_for(node).admit(peer.node_id, len(request.points), node.now().timestamp())
        with node.store.read() as conn:
            held = psi_store.held_values(conn, request.type_name)
        reply = psi_pool.answer(request.type_name, request.points, held, node.workers)
    except CsnetError as exc:
        audit_refusal(
            node, peer.node_id, exc.error_code, request_details("POST", API_PREFIX + PATH)
        )
        raise
    _audit_answer(node, peer, request, len(held))
    return psi_wire.answer_json(reply)


def _audit_answer(node: Node, peer: Peer, request: PsiRequest, held: int) -> None:
    details = {"what": "psi", "type": request.type_name, "asked": len(request.points)}
    entry = AuditEntry(
        actor=f"peer:{peer.node_id}",
        action=AuditAction.CONSULTATION,
        justification=request.justification,
        details={**details, "held": held},
        personal_data=True,
    )
    with node.store.write() as conn:
        append(conn, entry, node.now())


@dataclass(frozen=True)
class HitCheck:
    """Which of the asked values the peer holds, in the order first asked."""

    peer: str
    type_name: str
    asked: int
    hits: tuple[str, ...]
    queries: int
    dropped: int | None = None  # values a pre-screen kept out of PSI (None: no pre-screen)


def active_peer(node: Node, node_id: str) -> Peer:
    with node.store.read() as conn:
        peer = peers.require_peer(conn, node_id)
    if peer.status is not PeerStatus.ACTIVE:
        raise Forbidden(f"peer {node_id} is {peer.status.value}", code="peer_not_active")
    return peer


def hitcheck(
    node: Node,
    node_id: str,
    type_name: str,
    values: Sequence[str],
    justification: str,
    actor: str,
    screen: Screen | None = None,
) -> HitCheck:
    """Ask peer `node_id` which of `values` (canonical, of one type) it holds; audited.
    A `screen` may leave values out of PSI first; it must never drop one the peer holds."""
    reason = justification_of(justification)
    psi.type_tag(type_name)
    peer = active_peer(node, node_id)
    distinct = list(dict.fromkeys(values))
    kept = None if screen is None else screen(peer, distinct)
    asked = distinct if kept is None else kept
    size = max_points(node)
    found: set[str] = set()
    for first in range(0, len(asked), size):
        found.update(_one_query(node, peer, type_name, asked[first : first + size], reason))
    result = HitCheck(
        peer.node_id,
        type_name,
        len(distinct),
        tuple(v for v in distinct if v in found),
        -(-len(asked) // size),
        None if kept is None else len(distinct) - len(kept),
    )
    _audit_hitcheck(node, actor, result, reason)
    return result


def _one_query(
    node: Node, peer: Peer, type_name: str, values: list[str], justification: str
) -> list[str]:
    query = psi_pool.ask(type_name, values, node.workers)
    payload = {
        "type": type_name,
        "points": psi_wire.encode_points(query.points),
        "justification": justification,
    }
    response = call_peer(node, peer, "POST", PATH, payload)
    holder_limit = int(node.settings.psi_max_holder_points)
    reply = psi_wire.answer_from_json(response.json(), len(query.points), holder_limit)
    return psi_pool.intersect(query, reply, node.workers, limit=holder_limit)


def _audit_hitcheck(node: Node, actor: str, result: HitCheck, justification: str) -> None:
    entry = AuditEntry(
        actor=actor,
        action=AuditAction.CONSULTATION,
        justification=justification,
        recipients=(f"node:{result.peer}",),
        details={
            "what": "psi",
            "peer": result.peer,
            "type": result.type_name,
            "asked": result.asked,
            "hits": len(result.hits),
            "queries": result.queries,
            **({} if result.dropped is None else {"prescreen_dropped": result.dropped}),
        },
        personal_data=True,
    )
    with node.store.write() as conn:
        append(conn, entry, node.now())
