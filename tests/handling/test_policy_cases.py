"""Named cases for the TLP and releasability rules of csnet.handling.policy.decide."""

from __future__ import annotations

from csnet.handling.actors import MemberActor, PeerActor
from csnet.handling.categories import DataSubjectCategory as Cat
from csnet.handling.markings import TLP, Markings, Releasability
from csnet.handling.policy import Context, Decision, ItemFacts, can_read, decide
from csnet.handling.roles import Action, Role

from .policy_factories import (
    AUTHOR,
    IN_GROUP,
    NAMED,
    ORIGIN_ANALYST,
    ORIGIN_SUPERVISOR,
    OUTSIDER,
    WHY,
    allowed,
    item,
    to,
)

# Decision


def test_combine_reports_only_failures_when_denied() -> None:
    combined = Decision.combine(
        [Decision.allow("a"), Decision.deny("b"), Decision.deny("c", "b"), Decision.allow()]
    )
    assert combined == Decision(False, ("b", "c"))


def test_combine_reports_every_allowing_rule() -> None:
    combined = Decision.combine([Decision.allow("a"), Decision.allow(), Decision.allow("b")])
    assert combined == Decision(True, ("a", "b"))


def test_item_subjects_include_those_in_the_markings() -> None:
    it = ItemFacts("node-o", "m", markings=Markings(subjects=(Cat.VICTIM,)))
    assert it.subjects == {Cat.VICTIM}


# Releasability


def test_releasability_blocks_a_reader_in_the_audience() -> None:
    it = item(releasability=Releasability(allow_countries=("DE",)))
    decision = decide(NAMED, Action.READ, it, Context(justification=WHY))
    assert not decision.allowed
    assert "releasability does not permit node-a (IT)" in decision.reasons


def test_releasability_excluded_node_wins_over_group() -> None:
    it = item(releasability=Releasability(exclude_nodes=("node-g",)))
    assert not allowed(IN_GROUP, Action.READ, it)
    assert allowed(NAMED, Action.READ, it)


def test_releasability_does_not_bind_the_originating_node() -> None:
    it = item(releasability=Releasability(allow_countries=("DE",)))
    assert allowed(ORIGIN_ANALYST, Action.READ, it)


def test_releasability_applies_to_forward_targets() -> None:
    it = item(TLP.CLEAR, releasability=Releasability(exclude_countries=("RU",)))
    assert allowed(NAMED, Action.FORWARD, it, to("node-z", "DE"))
    assert not allowed(NAMED, Action.FORWARD, it, to("node-z", "RU"))
    assert not allowed(NAMED, Action.FORWARD, it, Context(justification=WHY))  # no target


# TLP:RED: named recipients only


def test_red_is_for_the_author_and_named_nodes() -> None:
    red = item(TLP.RED)
    assert can_read(AUTHOR, red)
    assert can_read(NAMED, red)
    assert not can_read(ORIGIN_SUPERVISOR, red)  # own node, but not named
    assert not can_read(IN_GROUP, red)  # sharing groups do not count for RED


def test_red_origin_named_lets_its_members_read() -> None:
    red = ItemFacts(
        "node-o", "m-author", frozenset({"node-o", "node-a"}), markings=Markings(tlp=TLP.RED)
    )
    assert can_read(ORIGIN_ANALYST, red)


def test_red_forwarded_by_the_originator_only_to_named_nodes() -> None:
    red = item(TLP.RED)
    assert allowed(AUTHOR, Action.FORWARD, red, to("node-a", "IT"))
    assert not allowed(AUTHOR, Action.FORWARD, red, to("node-g", "GR", "g-balkan"))
    assert not allowed(NAMED, Action.FORWARD, red, to("node-a", "IT"))  # recipients never


def test_origin_peer_shares_its_red_item_with_named_nodes_only() -> None:
    red = item(TLP.RED)
    origin = PeerActor("node-o", "FR")
    assert allowed(origin, Action.FORWARD, red, to("node-a", "IT"))
    assert not allowed(origin, Action.FORWARD, red, to("node-x", "PL"))


def test_red_disclosed_only_to_named_nodes() -> None:
    red = item(TLP.RED)
    author_supervisor = MemberActor("m-author", "node-o", "FR", Role.SUPERVISOR)
    assert allowed(author_supervisor, Action.DISCLOSE, red, to("node-a", "IT"))
    decision = decide(author_supervisor, Action.DISCLOSE, red, to("node-x"))
    assert decision == Decision(False, ("TLP:RED: node-x is not a named recipient",))


# AMBER and AMBER+STRICT


def test_amber_recipients_may_not_pass_it_on() -> None:
    decision = decide(NAMED, Action.FORWARD, item(TLP.AMBER), to("node-g", "GR", "g-balkan"))
    assert decision == Decision(False, ("TLP:AMBER: recipients may not pass it on",))


def test_amber_originator_widening_needs_a_new_version() -> None:
    assert allowed(ORIGIN_ANALYST, Action.FORWARD, item(TLP.AMBER), to("node-g", "GR", "g-balkan"))
    assert not allowed(ORIGIN_ANALYST, Action.FORWARD, item(TLP.AMBER), to("node-x", "PL"))


def test_amber_strict_export_only_by_the_origin_supervisor() -> None:
    strict = item(TLP.AMBER_STRICT)
    assert allowed(ORIGIN_SUPERVISOR, Action.EXPORT, strict)
    assert not allowed(ORIGIN_ANALYST, Action.EXPORT, strict)
    assert not allowed(NAMED, Action.EXPORT, strict)  # a supervisor, but not of the origin
    assert allowed(NAMED, Action.EXPORT, item(TLP.AMBER))


def test_amber_disclosed_to_a_requester_outside_the_audience() -> None:
    assert allowed(ORIGIN_SUPERVISOR, Action.DISCLOSE, item(TLP.AMBER), to("node-x", "PL"))
    assert not allowed(ORIGIN_SUPERVISOR, Action.DISCLOSE, item(TLP.AMBER_STRICT), to("node-x"))
    assert not allowed(ORIGIN_ANALYST, Action.DISCLOSE, item(TLP.AMBER), to("node-x", "PL"))
    assert not allowed(NAMED, Action.DISCLOSE, item(TLP.AMBER), to("node-x", "PL"))


# GREEN community and CLEAR


def test_green_stays_in_the_community() -> None:
    green = item(TLP.GREEN)
    assert allowed(NAMED, Action.FORWARD, green, to("node-g", "GR", "g-balkan"))
    assert not allowed(NAMED, Action.FORWARD, green, to("node-x", "PL", "g-other"))
    assert not can_read(OUTSIDER, green)


def test_green_network_wide_reaches_every_node() -> None:
    green = item(TLP.GREEN, network_wide=True)
    assert allowed(NAMED, Action.FORWARD, green, to("node-x", "PL"))
    assert can_read(OUTSIDER, green)


def test_clear_goes_anywhere() -> None:
    assert allowed(NAMED, Action.FORWARD, item(TLP.CLEAR), to("node-x", "PL"))
    assert can_read(OUTSIDER, item(TLP.CLEAR))


def test_red_named_member_of_the_origin_reads_and_no_other() -> None:
    red = ItemFacts(
        "node-o",
        "m-author",
        frozenset({"node-a"}),
        audience_members=frozenset({"m-an"}),
        markings=Markings(tlp=TLP.RED),
    )
    admin = MemberActor("m-root", "node-o", "FR", Role.ADMIN)
    assert can_read(AUTHOR, red)
    assert can_read(ORIGIN_ANALYST, red)  # named by the author
    assert not can_read(ORIGIN_SUPERVISOR, red)  # own node, not named
    assert not can_read(admin, red)  # administrators included
    assert can_read(NAMED, red)


def test_red_named_member_id_does_not_reach_another_node() -> None:
    red = ItemFacts(
        "node-o", "m-author", audience_members=frozenset({"m-it"}), markings=Markings(tlp=TLP.RED)
    )
    assert not can_read(NAMED, red)  # member ids are the origin's: m-it of node-a is not named
