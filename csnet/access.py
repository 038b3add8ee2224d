"""Members and envelopes in the policy's terms; every access question goes to `decide`.

The core's, not a feature's: alerts, correlation, the live feed and the web all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from csnet.accounts.members import Member
from csnet.errors import Forbidden, NotFound
from csnet.federation.groups import groups_of
from csnet.handling.actors import MemberActor
from csnet.handling.markings import TLP
from csnet.handling.policy import Context, Decision, decide
from csnet.handling.roles import Action
from csnet.items import links
from csnet.items.envelope import Envelope
from csnet.items.facts import item_facts
from csnet.node import Node
from csnet.store import item_store

MAX_ANSWER_CHAIN = 16  # replies to replies: a longer thread is refused rather than walked


@dataclass(frozen=True)
class Caller:
    """An authenticated member, with the justification given for this request (LED Art 25)."""

    member: Member
    justification: str | None = None


def actor_of(node: Node, member: Member, conn: Connection | None = None) -> MemberActor:
    """The member as policy sees it, with the sharing groups its node belongs to (read in the
    caller's transaction when it has one, not in a second connection beside it)."""
    if conn is None:
        with node.store.read() as own:
            return actor_of(node, member, own)
    mine = groups_of(conn, node.node_id)
    return MemberActor(
        member_id=member.id,
        node_id=node.node_id,
        country=node.identity.country,
        role=member.role,
        groups=mine,
    )


def ask(
    node: Node,
    caller: Caller,
    action: Action,
    env: Envelope,
    *,
    conn: Connection | None = None,
    actor: MemberActor | None = None,
    **context: object,
) -> Decision:
    """The policy's answer; `actor`: the caller as actor_of made it once for a whole request,
    so that asking about many items reads the node's groups once."""
    ctx = Context(justification=caller.justification, today=node.now().date(), **context)  # type: ignore[arg-type]
    who = actor or actor_of(node, caller.member, conn)
    decision = decide(who, action, item_facts(env), ctx)
    if decision.allowed and action is Action.READ and env.markings.tlp is TLP.RED:
        return _answered_readable(node, who, env, ctx, conn) or decision
    return decision


def _answered_readable(
    node: Node, who: MemberActor, env: Envelope, ctx: Context, conn: Connection | None
) -> Decision | None:
    """A TLP:RED reply or acknowledgement is read only by those who may read what it answers.
    Made on a peer, its audience can name the item's node but not the item's named members, so
    the node's other members would read it: the answered item's readers decide (None: no
    objection; the answered item is not held, or erased, or it is not an answer)."""
    if conn is None:
        with node.store.read() as own:
            return _answered_readable(node, who, env, ctx, own)
    seen: set[str] = set()
    target_id = links.answered(env)
    while target_id is not None and target_id not in seen:
        if len(seen) >= MAX_ANSWER_CHAIN:
            return Decision(False, ("TLP:RED: the thread is too deep to check who may read it",))
        seen.add(target_id)
        held = item_store.get_item(conn, target_id)
        if held is None or held.tombstoned:
            return None
        decision = decide(who, Action.READ, item_facts(held.envelope), ctx)
        if not decision.allowed:
            return decision
        target_id = links.answered(held.envelope)
    return None


def require(
    node: Node,
    caller: Caller,
    action: Action,
    env: Envelope,
    *,
    conn: Connection | None = None,
    **context: object,
) -> Decision:
    """Allow, or raise: 404 when the item is not the caller's to see at all (no existence leak)."""
    decision = ask(node, caller, action, env, conn=conn, **context)  # type: ignore[arg-type]
    if decision.allowed:
        return decision
    if decision.needs_justification:
        raise Forbidden(
            "this item holds personal data: give a justification (X-Justification header)",
            code="justification_required",
        )
    if action is Action.READ:
        raise NotFound(f"no item {env.id}")
    raise Forbidden("; ".join(decision.reasons), code="policy_denied")
