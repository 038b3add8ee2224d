"""The one policy decision: may this actor do this action with this item, in this context?

Pure: no clock, no I/O. Every service asks `decide`; nothing else re-implements a rule.
The rule table is written out in docs/policy.md. Sources: FIRST TLP 2.0, Europol handling codes,
LED (EU) 2016/680 Art 5-7 and 25, Europol Reg Art 20(2), Smuggling Protocol Art 5 and 16.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from csnet.handling.actors import Actor, MemberActor, PeerActor
from csnet.handling.categories import PROTECTED_CATEGORIES, DataSubjectCategory
from csnet.handling.markings import TLP, HandlingCode, Markings
from csnet.handling.roles import ROLE_ACTIONS, Action, Role

_RECIPIENT_ONLY = frozenset({TLP.AMBER, TLP.AMBER_STRICT, TLP.RED})  # recipients may not pass on
_NOT_EXPORTABLE = frozenset({TLP.AMBER_STRICT, TLP.RED})
_TRANSMISSIONS = frozenset({Action.FORWARD, Action.DISCLOSE, Action.EXPORT})


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed or not, and why: every failing rule when denied, the rules that allowed it if not.

    `needs_justification`: denied, and a justification (LED Art 25) is the only thing missing,
    so the same request with one would be allowed. Callers act on it, never on the reasons' text.
    """

    allowed: bool
    reasons: tuple[str, ...] = ()
    # why: not compared, so a decision equals one written as (allowed, reasons); the flag
    # follows from which rules failed, which the reasons already name.
    needs_justification: bool = field(default=False, compare=False)

    @classmethod
    def allow(cls, *reasons: str) -> Decision:
        return cls(True, reasons)

    @classmethod
    def deny(cls, *reasons: str) -> Decision:
        return cls(False, reasons)

    @classmethod
    def unjustified(cls, reason: str) -> Decision:
        """Denied only for want of a justification: giving one would allow it."""
        return cls(False, (reason,), needs_justification=True)

    @classmethod
    def check(cls, ok: bool, if_allowed: str, if_denied: str) -> Decision:
        return cls(True, (if_allowed,)) if ok else cls(False, (if_denied,))

    @classmethod
    def combine(cls, decisions: Iterable[Decision]) -> Decision:
        """All must allow; a denial reports only the failing reasons (deduplicated, in order),
        and needs only a justification when every failing rule needs only that."""
        every = list(decisions)
        failed = [d for d in every if not d.allowed]
        chosen = failed or every
        reasons = tuple(dict.fromkeys(r for d in chosen for r in d.reasons))
        justifiable = bool(failed) and all(d.needs_justification for d in failed)
        return cls(not failed, reasons, needs_justification=justifiable)


_OK = Decision.allow()  # a rule that has nothing to say


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """The policy's view of an item; services build it from the envelope."""

    origin: str  # node id
    author: str  # member id at the origin
    audience_nodes: frozenset[str] = frozenset()
    audience_groups: frozenset[str] = frozenset()
    markings: Markings = field(default_factory=Markings)
    subjects: frozenset[DataSubjectCategory] = frozenset()
    audience_members: frozenset[str] = frozenset()  # member ids at the origin (TLP:RED)

    def __post_init__(self) -> None:
        # Union with the markings: a category missing on one side must never loosen the rules.
        object.__setattr__(self, "subjects", self.subjects | frozenset(self.markings.subjects))

    @property
    def has_protected(self) -> bool:
        return bool(self.subjects & PROTECTED_CATEGORIES)


@dataclass(frozen=True, slots=True)
class RelayConsent:
    """The originator's permission (Europol H2) to pass an item on: to these nodes, and to the
    members of these sharing groups. The caller finds the current one for the item and leaves
    out a withdrawn or expired one (decide has no clock); decide checks that it names the target.
    """

    nodes: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    def names(self, node: str, groups: frozenset[str]) -> bool:
        return node in self.nodes or bool(groups & self.groups)


@dataclass(frozen=True, slots=True)
class Context:
    """Everything about the request that is not the actor or the item."""

    target_node: str | None = None  # forward/disclose: who would receive
    target_country: str | None = None
    target_groups: frozenset[str] = frozenset()
    originator_consent: frozenset[Action] = frozenset()  # act_on permissions (H1, H3) granted
    search_kind: Literal["general", "suspect"] = "general"
    export_as: Literal["record", "suspect"] = "record"
    justification: str | None = None
    today: date | None = None  # decide has no clock; review dates are checked only when given
    relay_consent: RelayConsent | None = None  # H2: the originator's consent to pass it on


_NO_CONTEXT = Context()


def _reaches(item: ItemFacts, node: str, country: str | None, groups: frozenset[str]) -> Decision:
    """Is this node among the recipients the markings address (TLP 2.0 + releasability)?"""
    tlp = item.markings.tlp
    named = node in item.audience_nodes
    if node == item.origin and (tlp is not TLP.RED or named):  # not a recipient: no releasability
        return Decision.allow(f"{node} is the originating node")
    if tlp is TLP.RED:  # named recipients only: sharing groups do not count
        audience = Decision.check(
            named, f"{node} is a named recipient", f"TLP:RED: {node} is not a named recipient"
        )
    elif tlp is TLP.CLEAR:
        audience = Decision.allow("TLP:CLEAR: no limit on disclosure")
    else:
        audience = _in_audience(item, node, groups)
    released = Decision.check(
        item.markings.releasability.permits(country, node),
        "releasability permits it",
        f"releasability does not permit {node} ({country or 'no country'})",
    )
    return Decision.combine((audience, released))


def _in_audience(item: ItemFacts, node: str, groups: frozenset[str]) -> Decision:
    tlp = item.markings.tlp
    if node in item.audience_nodes:
        return Decision.allow(f"{node} is in the audience")
    shared = sorted(groups & item.audience_groups)
    if shared:
        return Decision.allow(f"{node} is in audience group {shared[0]}")
    if tlp is TLP.GREEN and item.markings.network_wide:
        return Decision.allow("TLP:GREEN: the community is the whole network")
    return Decision.deny(f"{tlp}: {node} is outside the item's audience")


def _holds(actor: Actor, item: ItemFacts) -> Decision:
    """May the actor see the item at all? The base of every action."""
    if isinstance(actor, PeerActor) and actor.node_id == item.origin:
        return Decision.allow("the originating node holds its own item")
    if isinstance(actor, MemberActor) and _is_author(actor, item):
        return Decision.allow("the author")
    if isinstance(actor, MemberActor) and _is_named_member(actor, item):
        return Decision.allow(f"{actor.member_id} is a named recipient")
    return _reaches(item, actor.node_id, actor.country, actor.groups)


def _is_author(actor: MemberActor, item: ItemFacts) -> bool:
    return actor.member_id == item.author and actor.node_id == item.origin


def _is_named_member(actor: MemberActor, item: ItemFacts) -> bool:
    """Named members are members of the originating node: a member id means nothing elsewhere."""
    return actor.node_id == item.origin and actor.member_id in item.audience_members


def _role(actor: Actor, action: Action, item: ItemFacts) -> Decision:
    if isinstance(actor, PeerActor):
        # Export and disclosure are human decisions whose log names who took them (LED Art 25).
        if action in {Action.EXPORT, Action.DISCLOSE}:
            return Decision.deny(f"a peer node cannot {action}: a member of the node decides")
        return _OK
    if actor.role is Role.ADMIN and item.subjects:
        return Decision.deny("node administrators may not consult personal data")
    return Decision.check(
        action in ROLE_ACTIONS[actor.role],
        f"role {actor.role} may {action}",
        f"role {actor.role} may not {action}",
    )


def _justification(actor: Actor, action: Action, item: ItemFacts, ctx: Context) -> Decision:
    """LED Art 25: consulting personal data is logged with its justification."""
    if not item.subjects:
        return _OK
    if isinstance(actor, PeerActor) and action in {Action.READ, Action.FORWARD}:
        return _OK  # replication under the peering agreement; the transfer itself is logged
    if ctx.justification and ctx.justification.strip():
        return Decision.allow("justification given")
    return Decision.unjustified("justification required (LED Art 25)")


def _review(action: Action, item: ItemFacts, ctx: Context) -> Decision:
    """LED Art 5: overdue data may still be read, but is not passed on until reviewed (Art 7(2))."""
    due = item.markings.review_by
    if ctx.today is None or due is None or due >= ctx.today:
        return _OK
    if action in _TRANSMISSIONS:
        return Decision.deny(f"review overdue since {due}: review it before passing it on")
    return Decision.allow(f"review overdue since {due} (LED Art 5)")


def _h3_note(item: ItemFacts) -> Decision:
    handling = item.markings.handling
    if handling.code is HandlingCode.H3:
        return Decision.allow(f"handling H3: {handling.text}")
    return _OK


def _consent(ctx: Context, action: Action, code: HandlingCode) -> Decision:
    return Decision.check(
        action in ctx.originator_consent,
        f"the originator permitted {action} ({code})",
        f"{code}: {action} needs the originator's permission",
    )


def _relay_consent(ctx: Context) -> Decision:
    """H2: a recipient passes the item on only to a node the originator's consent names."""
    consent, target = ctx.relay_consent, ctx.target_node
    if consent is None or target is None:
        return Decision.deny("H2: forward needs the originator's permission")
    return Decision.check(
        consent.names(target, ctx.target_groups),
        f"H2: the originator consented to passing it on to {target}",
        f"H2: the originator's consent does not name {target}",
    )


def _target(item: ItemFacts, ctx: Context) -> Decision:
    if ctx.target_node is None:
        return Decision.deny("no target node given")
    return _reaches(item, ctx.target_node, ctx.target_country, ctx.target_groups)


def _search_rules(actor: Actor, item: ItemFacts, ctx: Context) -> list[Decision]:
    if ctx.search_kind == "suspect" and item.has_protected:
        return [Decision.deny("victims and smuggled migrants are never suspects")]
    return []


def _forward_rules(actor: Actor, item: ItemFacts, ctx: Context) -> list[Decision]:
    # The target must be one the markings address, or it could not read what it receives;
    # widening the audience means issuing a new version of the item (or a disclosure).
    rules = [_target(item, ctx)]
    if actor.node_id == item.origin:
        return [*rules, Decision.allow("the originator shares its own item")]
    tlp = item.markings.tlp
    if tlp in _RECIPIENT_ONLY:
        rules.append(Decision.deny(f"{tlp}: recipients may not pass it on"))
    if item.markings.handling.code is HandlingCode.H2:
        rules.append(_relay_consent(ctx))
    return rules


def _export_rules(actor: Actor, item: ItemFacts, ctx: Context) -> list[Decision]:
    rules = []
    tlp = item.markings.tlp
    if tlp in _NOT_EXPORTABLE:
        by_origin_supervisor = (
            isinstance(actor, MemberActor)
            and actor.role is Role.SUPERVISOR
            and actor.node_id == item.origin
        )
        rules.append(
            Decision.check(
                by_origin_supervisor,
                f"{tlp}: exported by the originating node's supervisor",
                f"{tlp}: only the originating node's supervisor may export it",
            )
        )
    if ctx.export_as == "suspect" and item.has_protected:
        rules.append(Decision.deny("victims and smuggled migrants are never exported as suspects"))
    return rules


def _disclose_rules(actor: Actor, item: ItemFacts, ctx: Context) -> list[Decision]:
    """Hit/no-hit follow-up: only the provider releases (Europol Reg Art 20(2))."""
    rules = [
        Decision.check(
            actor.node_id == item.origin,
            "disclosed by the originating node",
            "only the originating node may disclose its item",
        )
    ]
    if ctx.target_node is None or item.markings.tlp in _NOT_EXPORTABLE:
        return [*rules, _target(item, ctx)]  # RED: named only; AMBER+STRICT: its audience only
    released = item.markings.releasability.permits(ctx.target_country, ctx.target_node)
    rules.append(
        Decision.check(
            released,
            "releasability permits the target",
            f"releasability does not permit {ctx.target_node}",
        )
    )
    return rules


def _act_on_rules(actor: Actor, item: ItemFacts, ctx: Context) -> list[Decision]:
    code = item.markings.handling.code
    if code not in {HandlingCode.H1, HandlingCode.H3} or actor.node_id == item.origin:
        return [_h3_note(item)]
    consent = _consent(ctx, Action.ACT_ON, code)
    if code is HandlingCode.H3 and not consent.allowed:
        return [Decision.deny(*_h3_note(item).reasons, *consent.reasons)]
    return [_h3_note(item), consent]


_Rules = Callable[[Actor, ItemFacts, Context], list[Decision]]
_ACTION_RULES: dict[Action, _Rules] = {
    Action.READ: lambda actor, item, ctx: [],  # reading needs only the common rules
    Action.SEARCH: _search_rules,
    Action.FORWARD: _forward_rules,
    Action.EXPORT: _export_rules,
    Action.DISCLOSE: _disclose_rules,
    Action.ACT_ON: _act_on_rules,
}


def decide(
    actor: Actor, action: Action, item: ItemFacts, context: Context = _NO_CONTEXT
) -> Decision:
    """The one policy decision; see docs/policy.md for the rule table."""
    common = [
        _role(actor, action, item),
        _holds(actor, item),
        _justification(actor, action, item, context),
        _review(action, item, context),
    ]
    if action is not Action.ACT_ON:
        common.append(_h3_note(item))  # free-text restrictions are shown with every decision
    return Decision.combine([*common, *_ACTION_RULES[action](actor, item, context)])


def can_read(actor: Actor, item: ItemFacts, context: Context = _NO_CONTEXT) -> bool:
    return decide(actor, Action.READ, item, context).allowed
