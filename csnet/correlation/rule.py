"""Who may see a hit, and as what: the rule is written out in docs/policy.md ("Hits").

Pure: it only asks `decide`. A hit links two items; a member sees it only if they may read
both. A correlation hit is treated as a suspect search from each item for the other, so it is
shown as a suspect hit only when `decide(SEARCH, item, Context(search_kind="suspect"))` allows
both sides; a protected person's data (victim, smuggled migrant) never passes that test. Such a
hit is shown instead as a protection hit, to protection officers only, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from csnet.handling.actors import MemberActor
from csnet.handling.policy import Context, Decision, ItemFacts, decide
from csnet.handling.roles import Action, Role

HitPurpose = Literal["suspect", "protection"]
PROTECTION_ROLES = frozenset({Role.PROTECTION_OFFICER})


@dataclass(frozen=True)
class Verdict:
    purpose: HitPurpose
    restricted: bool  # personal data on a side: the value is withheld until a justification


def _seen(decision: Decision) -> bool | None:
    """False: allowed; True: allowed once a justification is given; None: not at all."""
    if decision.allowed:
        return False
    if decision.needs_justification:
        return True
    return None


def judge(actor: MemberActor, this: ItemFacts, other: ItemFacts, ctx: Context) -> Verdict | None:
    """The hit between `this` and `other` as `actor` may see it, or None."""
    reads = [_seen(decide(actor, Action.READ, facts, ctx)) for facts in (this, other)]
    if None in reads:
        return None  # why: a hit must not reveal that an unreadable item exists
    restricted = any(reads)
    suspect = replace(ctx, search_kind="suspect")
    searches = [_seen(decide(actor, Action.SEARCH, facts, suspect)) for facts in (this, other)]
    if None not in searches:
        return Verdict("suspect", restricted or any(searches))
    protected = this.has_protected or other.has_protected
    if protected and actor.role in PROTECTION_ROLES:
        return Verdict("protection", restricted)
    return None
