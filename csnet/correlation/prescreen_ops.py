"""Pre-screens between nodes: the holder serves `POST /api/v1/federation/prescreen/{group}/{type}`,
the asker fetches that filter in `hitcheck` and asks PSI only about the values that pass it.

Holder: body {"justification"} from an authenticated peer → checks (pre-screens on, type allowed,
both nodes members of the group, a key held, the peer's PSI rate) → the filter of the values this
node holds openly (psi_store.held_values) under the group's newest key, with its epoch; audited
as a disclosure to the peer, with the count, never the values. Asker: any refusal or unusable
answer means no pre-screen, and every value goes to PSI (docs/indicators.md, "Pre-screen").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from csnet.audit import AuditAction, AuditEntry, append
from csnet.correlation import prescreen, psi_federation, psi_store
from csnet.errors import BadInput, Conflict, CsnetError, Forbidden
from csnet.federation import groups, prescreen_keys
from csnet.federation.client import call_peer
from csnet.federation.local import API_PREFIX, audit_refusal, request_details
from csnet.federation.peers import Peer
from csnet.federation.prescreen_keys import GroupKey
from csnet.items import strict_json
from csnet.node import Node

PATH = "/federation/prescreen"


def _check_on(node: Node) -> None:
    if not node.settings.prescreen_bloom:
        raise Conflict("this node serves no pre-screen filters", code="prescreen_disabled")


def _justification(body: bytes) -> str:
    try:
        data = strict_json.loads(body, what="pre-screen request")
    except BadInput:
        data = None  # why: TooLarge (too deep) keeps its own code; the rest is one bad message
    if not isinstance(data, dict) or set(data) != {"justification"}:
        raise prescreen.PrescreenError(
            'body must be {"justification"}', code="prescreen_bad_message"
        )
    return psi_federation.justification_of(data["justification"])


def _group_key(conn: Connection, node: Node, peer: Peer, group_id: str) -> GroupKey:
    """The newest key of a group both nodes belong to (by this node's view)."""
    group = groups.get_group(conn, group_id)
    # why: one answer whether or not the group exists, so a non-member learns nothing of it
    if group is None or not {node.node_id, peer.node_id} <= group.members:
        raise Forbidden("pre-screens are for members of a shared group", code="not_group_member")
    key = prescreen_keys.current(conn, group)
    if key is None:
        raise Conflict(f"no pre-screen key for group {group_id}", code="prescreen_no_key")
    return key


def serve(node: Node, peer: Peer, group_id: str, type_name: str, body: bytes) -> dict[str, Any]:
    """A peer's filter request; every refusal is audited as `peer_refused`."""
    try:
        _check_on(node)
        reason = _justification(body)
        prescreen.type_tag(type_name)
        with node.store.read() as conn:
            key = _group_key(conn, node, peer, group_id)
            held = psi_store.held_values(conn, type_name)
        # why: a filter costs the holder a pass over its values; it counts as one PSI query
        psi_federation.limiter_for(node).admit(peer.node_id, 0, node.now().timestamp())
        rate = float(node.settings.prescreen_fp_rate)
        bloom = prescreen.build(key.secret, type_name, held, rate)
    except CsnetError as exc:
        target = f"{API_PREFIX}{PATH}/{group_id}/{type_name}"
        audit_refusal(node, peer.node_id, exc.error_code, request_details("POST", target))
        raise
    _audit_served(node, peer, key, type_name, reason, len(held))
    return {"group_id": group_id, "epoch": key.epoch, "type": type_name, **prescreen.to_json(bloom)}


def _audit_served(
    node: Node, peer: Peer, key: GroupKey, type_name: str, justification: str, held: int
) -> None:
    # why: a disclosure, not a consultation: the filter leaves the node and can be tested later
    entry = AuditEntry(
        actor=f"peer:{peer.node_id}",
        action=AuditAction.DISCLOSURE,
        justification=justification,
        recipients=(f"node:{peer.node_id}",),
        details={
            "what": "prescreen",
            "type": type_name,
            "group": key.group_id,
            "epoch": key.epoch,
            "held": held,
        },
        personal_data=True,
    )
    with node.store.write() as conn:
        append(conn, entry, node.now())


def screener(node: Node, type_name: str, justification: str) -> psi_federation.Screen | None:
    """The pre-screen `hitcheck` applies to `type_name`; None for a type never pre-screened."""
    if type_name not in prescreen.HIGH_ENTROPY_TYPES:
        return None

    def screen(peer: Peer, values: list[str]) -> list[str] | None:
        fetched = fetch(node, peer, type_name, justification)
        if fetched is None:
            return None
        key, bloom = fetched
        return prescreen.keep(bloom, key.secret, type_name, values)

    return screen


def _shared(conn: Connection, node: Node, peer: Peer) -> list[groups.Group]:
    """Groups of both nodes, by this node's view, for which this node holds a key."""
    view = groups.load(conn)
    both = view.of(node.node_id) & view.of(peer.node_id)
    return [view.groups[g] for g in sorted(both) if prescreen_keys.current(conn, view.groups[g])]


def fetch(
    node: Node, peer: Peer, type_name: str, justification: str
) -> tuple[GroupKey, prescreen.BloomFilter] | None:
    """The peer's filter of `type_name` and the key to test it with, or None if there is none
    to be had (no shared group with a key, a refusal, a key epoch this node lacks)."""
    with node.store.read() as conn:
        shared = _shared(conn, node, peer)
    if not shared:
        return None
    group = shared[0]
    try:
        path = f"{PATH}/{group.id}/{type_name}"
        reply = call_peer(node, peer, "POST", path, {"justification": justification}).json()
        bloom = prescreen.from_json(reply)
    except CsnetError:
        return None
    epoch, echo = reply.get("epoch"), (reply.get("group_id"), reply.get("type"))
    if type(epoch) is not int or echo != (group.id, type_name):
        return None
    with node.store.read() as conn:
        key = prescreen_keys.keys_of(conn, group).get(epoch)
    return None if key is None else (key, bloom)
