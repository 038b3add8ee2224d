"""Property test: whatever the actor, item, context and action, the hard limits hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from itertools import combinations, product
from typing import Literal, TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from csnet.handling.actors import Actor, MemberActor, PeerActor
from csnet.handling.categories import PROTECTED_CATEGORIES, DataSubjectCategory
from csnet.handling.markings import TLP, Handling, HandlingCode, Markings, Releasability
from csnet.handling.policy import Context, ItemFacts, RelayConsent, decide
from csnet.handling.roles import Action, Role
from tests.conftest import examples

T = TypeVar("T")

# Hypothesis spends its time per draw, not in decide: values are precomputed and drawn in a few
# bundles so that 10,000 examples stay quick. Small pools make collisions (origin = actor =
# target, shared groups) frequent.
NODES = ("n1", "n2", "n3", "n4")
COUNTRIES = ("FR", "DE", "IT", None)
MEMBERS = ("m1", "m2")
TODAY = date(2025, 1, 1)


def subsets(values: Iterable[T], max_size: int) -> list[frozenset[T]]:
    pool = tuple(values)
    return [frozenset(c) for n in range(max_size + 1) for c in combinations(pool, n)]


NODE_SETS = subsets(NODES, 3)
GROUP_SETS = subsets(("g1", "g2", "g3"), 2)
RELEASABILITIES = (
    Releasability(),
    Releasability(allow_countries=("FR", "DE")),
    Releasability(exclude_countries=("IT",)),
    Releasability(allow_nodes=("n2",)),
    Releasability(exclude_nodes=("n3",)),
    Releasability(allow_nodes=("n1",), allow_countries=("DE",), exclude_nodes=("n4",)),
)
HANDLINGS = tuple(
    Handling(code=c, text="no court use" if c is HandlingCode.H3 else None) for c in HandlingCode
)
MARKINGS = [
    Markings(tlp=tlp, handling=h, releasability=r, review_by=due, network_wide=wide, subjects=subj)
    for tlp, h, r, due, wide, subj in product(
        TLP,
        HANDLINGS,
        RELEASABILITIES,
        (None, date(2024, 1, 1), date(2026, 1, 1)),
        (False, True),
        ((), (DataSubjectCategory.VICTIM,), (DataSubjectCategory.SUSPECT,)),
    )
]

members = st.sampled_from(
    [MemberActor(*args) for args in product(MEMBERS, NODES, COUNTRIES, Role, GROUP_SETS)]
)
peers = st.sampled_from([PeerActor(*args) for args in product(NODES, COUNTRIES, GROUP_SETS)])
Where = tuple[str, str, frozenset[str], frozenset[str]]
Target = tuple[str | None, str | None, frozenset[str]]
Rest = tuple[Literal["general", "suspect"], Literal["record", "suspect"], str | None, date | None]


def item_of(
    where: Where, markings: Markings, subjects: frozenset[DataSubjectCategory]
) -> ItemFacts:
    origin, author, audience_nodes, audience_groups = where
    return ItemFacts(origin, author, audience_nodes, audience_groups, markings, subjects)


def context_of(
    target: Target, consent: frozenset[Action], rest: Rest, relay: RelayConsent | None
) -> Context:
    node, country, groups = target
    search_kind, export_as, justification, today = rest
    return Context(
        node, country, groups, consent, search_kind, export_as, justification, today, relay
    )


WHERE: list[Where] = list(product(NODES, MEMBERS, NODE_SETS, GROUP_SETS))
TARGETS: list[Target] = list(product((None, *NODES), COUNTRIES, GROUP_SETS))
RESTS: list[Rest] = list(
    product(("general", "suspect"), ("record", "suspect"), (None, "", "case 17"), (None, TODAY))
)
items = st.builds(
    item_of,
    st.sampled_from(WHERE),
    st.sampled_from(MARKINGS),
    st.sampled_from(subsets(DataSubjectCategory, 2)),
)
RELAY_CONSENTS = [None] + [
    RelayConsent(nodes, groups) for nodes in subsets(NODES, 2) for groups in GROUP_SETS[:4]
]
contexts = st.builds(
    context_of,
    st.sampled_from(TARGETS),
    st.sampled_from(subsets(Action, 6)),
    st.sampled_from(RESTS),
    st.sampled_from(RELAY_CONSENTS),
)


def actor_within_audience(actor: Actor, item: ItemFacts) -> bool:
    """RED: author, named nodes (and the origin node as holder); AMBER+STRICT: origin + audience."""
    tlp, node = item.markings.tlp, actor.node_id
    if tlp is TLP.RED:
        author = isinstance(actor, MemberActor) and actor.member_id == item.author
        at_origin = node == item.origin and (author or isinstance(actor, PeerActor))
        return at_origin or node in item.audience_nodes
    if tlp is TLP.AMBER_STRICT:
        return (
            node == item.origin
            or node in item.audience_nodes
            or bool(actor.groups & item.audience_groups)
        )
    return True


def target_within_audience(ctx: Context, item: ItemFacts) -> bool:
    tlp, node = item.markings.tlp, ctx.target_node
    if tlp is TLP.RED:
        return node in item.audience_nodes
    if tlp is TLP.AMBER_STRICT:
        return (
            node == item.origin
            or node in item.audience_nodes
            or bool(ctx.target_groups & item.audience_groups)
        )
    return True


@settings(max_examples=examples(10_000), deadline=None)
@given(actor=st.one_of(members, peers), item=items, ctx=contexts, action=st.sampled_from(Action))
def test_hard_limits_hold(actor: Actor, item: ItemFacts, ctx: Context, action: Action) -> None:
    decision = decide(actor, action, item, ctx)
    assert decision.allowed or decision.reasons
    if not decision.allowed:
        return
    protected = bool(item.subjects & PROTECTED_CATEGORIES)
    assert actor_within_audience(actor, item)
    if action in (Action.FORWARD, Action.DISCLOSE):
        assert target_within_audience(ctx, item)
    if action is Action.SEARCH and ctx.search_kind == "suspect":
        assert not protected
    if action is Action.EXPORT and ctx.export_as == "suspect":
        assert not protected
    if isinstance(actor, MemberActor) and item.subjects:
        assert actor.role is not Role.ADMIN
        assert ctx.justification
    if action is Action.FORWARD:  # whoever receives it can read it: no orphan copies
        assert ctx.target_node is not None
        receiver = PeerActor(ctx.target_node, ctx.target_country, ctx.target_groups)
        assert decide(receiver, Action.READ, item, ctx).allowed
    if action in (Action.EXPORT, Action.DISCLOSE):
        assert isinstance(actor, MemberActor)
    h2 = item.markings.handling.code is HandlingCode.H2
    if action is Action.FORWARD and h2 and actor.node_id != item.origin:
        consent = ctx.relay_consent  # H2: only where the originator's consent names the target
        assert consent is not None and ctx.target_node is not None
        assert consent.names(ctx.target_node, ctx.target_groups)


@settings(max_examples=examples(2000), deadline=None)
@given(actor=st.one_of(members, peers), item=items, ctx=contexts, action=st.sampled_from(Action))
def test_needs_justification_iff_a_justification_would_allow(
    actor: Actor, item: ItemFacts, ctx: Context, action: Action
) -> None:
    decision = decide(actor, action, item, ctx)
    justified = decide(actor, action, item, replace(ctx, justification="case 17"))
    assert decision.needs_justification is (not decision.allowed and justified.allowed)
