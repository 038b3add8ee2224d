"""What the item page shows around an item: its thread, who saw or actioned it, its hits with
their reasons, and its history of corrections. Each part asks the domain, as the member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csnet.access import Caller
from csnet.alerts.names import load_names
from csnet.correlation.hits import HitView, hits_with
from csnet.errors import CsnetError
from csnet.handling.roles import Role
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.reading import audit_consultation, get_visible, thread
from csnet.store.item_store import StoredItem

MAX_HISTORY = 50


@dataclass(frozen=True)
class AckView:
    member: str
    node: str
    state: str
    at: datetime
    comment: str | None


@dataclass(frozen=True)
class HitLine:
    other_id: str
    other_origin: str
    reason: str
    protection: bool
    first_seen: datetime


def _ack(held: StoredItem) -> AckView:
    env = held.envelope
    body = env.body
    at = datetime.fromisoformat(str(body["at"]).replace("Z", "+00:00"))
    return AckView(env.author, env.origin, str(body["state"]), at, body.get("comment"))


def _hit(item_id: str, hit: HitView) -> HitLine:
    mine = hit.item_id == item_id
    return HitLine(
        other_id=hit.other_id if mine else hit.item_id,
        other_origin=hit.other_origin if mine else hit.origin,
        reason=hit.reason,
        protection=hit.purpose == "protection",
        first_seen=hit.first_seen,
    )


def history(node: Node, caller: Caller, env: Envelope) -> list[Envelope]:
    """The earlier versions this one corrected, newest first."""
    older: list[Envelope] = []
    link = env.supersedes
    while link is not None and len(older) < MAX_HISTORY:
        try:
            earlier = get_visible(node, caller, link).envelope
        except CsnetError:  # why: an earlier version the member may not read is left out
            break
        older.append(earlier)
        link = earlier.supersedes
    return older


def may_change(node: Node, caller: Caller, env: Envelope) -> bool:
    """The author (or a supervisor) of an item of this node may correct or retract it."""
    member = caller.member
    return env.origin == node.node_id and (
        env.author == member.id or member.role is Role.SUPERVISOR
    )


def full_view(node: Node, caller: Caller, held: StoredItem) -> dict[str, Any]:
    env = held.envelope
    replies, acks = thread(node, caller, env.id)
    shown = hits_with(node, caller, item_id=env.id)
    audit_consultation(node, caller, shown.personal, via="hits")
    return {
        "env": env,
        "body": env.body,
        "superseded_by": held.superseded_by,
        "replies": [r.envelope for r in replies],
        "acks": [_ack(a) for a in acks],
        "hits": [_hit(env.id, h) for h in shown.hits],
        "history": history(node, caller, env),
        "may_change": may_change(node, caller, env),
        "justification": caller.justification or "",
        "names": load_names(
            node,
            [env.author, *(r.envelope.author for r in replies), *(a.envelope.author for a in acks)],
        ),
    }
