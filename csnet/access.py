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
from csnet.handling.policy import Context, Decision, decide
from csnet.handling.roles import Action
from csnet.items.envelope import Envelope
from csnet.items.facts import item_facts
from csnet.node import Node


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
    return decide(who, action, item_facts(env), ctx)


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
