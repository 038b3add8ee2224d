"""Shared actors, items and contexts for the policy tests (plain functions, no fixtures)."""

from __future__ import annotations

from csnet.handling.actors import Actor, MemberActor
from csnet.handling.markings import TLP, Markings
from csnet.handling.policy import Context, ItemFacts, RelayConsent, decide
from csnet.handling.roles import Action, Role

WHY = "case 2024/17: facilitation network"
AUTHOR = MemberActor("m-author", "node-o", "FR", Role.OFFICER)
ORIGIN_SUPERVISOR = MemberActor("m-boss", "node-o", "FR", Role.SUPERVISOR)
ORIGIN_ANALYST = MemberActor("m-an", "node-o", "FR", Role.ANALYST)
NAMED = MemberActor("m-it", "node-a", "IT", Role.SUPERVISOR)
IN_GROUP = MemberActor("m-gr", "node-g", "GR", Role.SUPERVISOR, frozenset({"g-balkan"}))
OUTSIDER = MemberActor("m-pl", "node-x", "PL", Role.SUPERVISOR, frozenset({"g-other"}))


def item(tlp: TLP = TLP.AMBER, **markings: object) -> ItemFacts:
    return ItemFacts(
        origin="node-o",
        author="m-author",
        audience_nodes=frozenset({"node-a"}),
        audience_groups=frozenset({"g-balkan"}),
        markings=Markings.model_validate({"tlp": tlp, **markings}),
    )


def to(
    node: str,
    country: str = "DE",
    *groups: str,
    consent: Action | None = None,
    relay: RelayConsent | None = None,
) -> Context:
    return Context(
        target_node=node,
        target_country=country,
        target_groups=frozenset(groups),
        originator_consent=frozenset({consent} if consent else ()),
        justification=WHY,
        relay_consent=relay,
    )


def allowed(actor: Actor, action: Action, it: ItemFacts, ctx: Context | None = None) -> bool:
    return decide(actor, action, it, ctx or Context(justification=WHY)).allowed
