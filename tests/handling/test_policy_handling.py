"""Named cases for handling codes, protected persons, roles, peers and review dates."""

from __future__ import annotations

from datetime import date

from csnet.handling.actors import MemberActor, PeerActor
from csnet.handling.categories import DataSubjectCategory as Cat
from csnet.handling.markings import TLP, Handling, HandlingCode
from csnet.handling.policy import Context, Decision, RelayConsent, can_read, decide
from csnet.handling.roles import Action, Role

from .policy_factories import (
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

# Handling codes


def test_h2_forward_needs_the_originators_permission_even_for_clear() -> None:
    clear_h2 = item(TLP.CLEAR, handling=Handling(code=HandlingCode.H2))
    decision = decide(NAMED, Action.FORWARD, clear_h2, to("node-x", "PL"))
    assert decision == Decision(False, ("H2: forward needs the originator's permission",))
    consent = to("node-x", "PL", relay=RelayConsent(nodes=frozenset({"node-x"})))
    assert allowed(NAMED, Action.FORWARD, clear_h2, consent)
    assert allowed(ORIGIN_ANALYST, Action.FORWARD, clear_h2, to("node-x", "PL"))


def test_h2_consent_names_the_target_by_node_or_group() -> None:
    clear_h2 = item(TLP.CLEAR, handling=Handling(code=HandlingCode.H2))
    by_group = RelayConsent(groups=frozenset({"g-adriatic"}))
    assert allowed(
        NAMED, Action.FORWARD, clear_h2, to("node-x", "PL", "g-adriatic", relay=by_group)
    )
    elsewhere = to("node-y", "PL", "g-other", relay=by_group)
    decision = decide(NAMED, Action.FORWARD, clear_h2, elsewhere)
    assert decision == Decision(False, ("H2: the originator's consent does not name node-y",))
    withdrawn = to("node-x", "PL", "g-adriatic", relay=RelayConsent())  # empty: names nobody
    assert not allowed(NAMED, Action.FORWARD, clear_h2, withdrawn)
    # A blanket action permission is for act_on (H1, H3); it never stands in for H2 consent.
    assert not allowed(NAMED, Action.FORWARD, clear_h2, to("node-x", "PL", consent=Action.FORWARD))


def test_h2_consent_never_lifts_tlp_or_the_audience() -> None:
    h2 = Handling(code=HandlingCode.H2)
    consent = RelayConsent(nodes=frozenset({"node-x", "node-a"}))
    for tlp in (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED):
        decision = decide(
            NAMED, Action.FORWARD, item(tlp, handling=h2), to("node-a", relay=consent)
        )
        assert not decision.allowed
        assert f"{tlp}: recipients may not pass it on" in decision.reasons
    green = item(TLP.GREEN, handling=h2)  # its community is node-a and g-balkan only
    assert not allowed(NAMED, Action.FORWARD, green, to("node-x", "PL", relay=consent))
    assert allowed(IN_GROUP, Action.FORWARD, green, to("node-a", "IT", relay=consent))
    excluded = item(TLP.CLEAR, handling=h2, releasability={"exclude_countries": ["PL"]})
    assert not allowed(NAMED, Action.FORWARD, excluded, to("node-x", "PL", relay=consent))


def test_h2_disclosure_is_the_originators_decision() -> None:
    amber_h2 = item(TLP.AMBER, handling=Handling(code=HandlingCode.H2))
    assert allowed(ORIGIN_SUPERVISOR, Action.DISCLOSE, amber_h2, to("node-x", "PL"))


def test_h1_act_on_needs_permission_except_at_the_origin() -> None:
    h1 = item(handling=Handling(code=HandlingCode.H1))
    assert not allowed(NAMED, Action.ACT_ON, h1)
    assert allowed(
        NAMED,
        Action.ACT_ON,
        h1,
        Context(justification=WHY, originator_consent=frozenset({Action.ACT_ON})),
    )
    assert allowed(ORIGIN_ANALYST, Action.ACT_ON, h1)
    assert allowed(NAMED, Action.READ, h1)


def test_h3_text_is_shown_and_act_on_needs_permission() -> None:
    h3 = item(handling=Handling(code=HandlingCode.H3, text="informant protection: no court use"))
    read = decide(NAMED, Action.READ, h3, Context(justification=WHY))
    assert read.allowed
    assert "handling H3: informant protection: no court use" in read.reasons
    act = decide(NAMED, Action.ACT_ON, h3, Context(justification=WHY))
    assert not act.allowed
    assert act.reasons[0] == "handling H3: informant protection: no court use"
    consent = Context(justification=WHY, originator_consent=frozenset({Action.ACT_ON}))
    assert allowed(NAMED, Action.ACT_ON, h3, consent)


# Protected persons


def test_victims_and_migrants_never_in_suspect_search() -> None:
    for cat in (Cat.VICTIM, Cat.SMUGGLED_MIGRANT):
        it = item(subjects=(cat, Cat.SUSPECT))
        suspect = Context(justification=WHY, search_kind="suspect")
        assert not allowed(NAMED, Action.SEARCH, it, suspect)
        assert not allowed(PeerActor("node-a", "IT"), Action.SEARCH, it, suspect)
        assert allowed(NAMED, Action.SEARCH, it)
    assert allowed(
        NAMED,
        Action.SEARCH,
        item(subjects=(Cat.SUSPECT,)),
        Context(justification=WHY, search_kind="suspect"),
    )


def test_victims_and_migrants_never_exported_as_suspects() -> None:
    it = item(subjects=(Cat.SMUGGLED_MIGRANT,))
    decision = decide(NAMED, Action.EXPORT, it, Context(justification=WHY, export_as="suspect"))
    assert decision == Decision(
        False, ("victims and smuggled migrants are never exported as suspects",)
    )
    assert allowed(NAMED, Action.EXPORT, it)  # as a record


# Roles, personal data and justification


def test_admin_may_not_consult_personal_data() -> None:
    admin = MemberActor("m-adm", "node-a", "IT", Role.ADMIN)
    decision = decide(
        admin, Action.READ, item(subjects=(Cat.WITNESS_CONTACT,)), Context(justification=WHY)
    )
    assert decision == Decision(False, ("node administrators may not consult personal data",))
    assert can_read(admin, item())
    assert not allowed(admin, Action.FORWARD, item(TLP.CLEAR), to("node-a", "IT"))


def test_protection_officer_reads_what_the_node_reads_but_does_not_export() -> None:
    po = MemberActor("m-po", "node-a", "IT", Role.PROTECTION_OFFICER)
    victim = item(subjects=(Cat.VICTIM,))
    assert allowed(po, Action.READ, victim)
    assert not allowed(po, Action.EXPORT, victim)
    assert not allowed(po, Action.ACT_ON, victim)


def test_officer_cannot_export_or_disclose() -> None:
    officer = MemberActor("m-off", "node-o", "FR", Role.OFFICER)
    assert not allowed(officer, Action.EXPORT, item(TLP.CLEAR))
    assert not allowed(officer, Action.DISCLOSE, item(TLP.CLEAR), to("node-a", "IT"))


def test_personal_data_needs_a_justification() -> None:
    it = item(subjects=(Cat.SUSPECT,))
    for ctx in (Context(), Context(justification="   ")):
        decision = decide(NAMED, Action.READ, it, ctx)
        assert decision == Decision(False, ("justification required (LED Art 25)",))
    assert can_read(NAMED, item())  # no personal data, no justification needed
    peer = PeerActor("node-a", "IT")
    assert can_read(peer, it)  # replication under the peering agreement
    assert not allowed(peer, Action.SEARCH, it, Context())  # a hit/no-hit query is justified


def test_a_missing_justification_alone_is_said_so_and_giving_one_allows() -> None:
    it = item(subjects=(Cat.SUSPECT,))
    for action in (Action.READ, Action.SEARCH):
        unjustified = decide(NAMED, action, it, Context())
        assert not unjustified.allowed
        assert unjustified.needs_justification
        justified = decide(NAMED, action, it, Context(justification=WHY))
        assert justified.allowed
        assert not justified.needs_justification


def test_a_missing_justification_with_another_failing_rule_is_not_enough() -> None:
    outsider_red = decide(OUTSIDER, Action.READ, item(TLP.RED, subjects=(Cat.SUSPECT,)), Context())
    admin = MemberActor("m-adm", "node-a", "IT", Role.ADMIN)
    admin_read = decide(admin, Action.READ, item(subjects=(Cat.SUSPECT,)), Context())
    officer = MemberActor("m-off", "node-a", "IT", Role.OFFICER)
    officer_export = decide(officer, Action.EXPORT, item(subjects=(Cat.SUSPECT,)), Context())
    for decision in (outsider_red, admin_read, officer_export):
        assert not decision.allowed
        assert "justification required (LED Art 25)" in decision.reasons
        assert not decision.needs_justification


# Peers


def test_peers_never_export_or_disclose() -> None:
    origin = PeerActor("node-o", "FR")
    assert not allowed(origin, Action.EXPORT, item(TLP.CLEAR))
    assert not allowed(origin, Action.DISCLOSE, item(TLP.CLEAR), to("node-a", "IT"))


def test_peer_reads_and_forwards_per_markings() -> None:
    peer = PeerActor("node-g", "GR", frozenset({"g-balkan"}))
    assert can_read(peer, item(TLP.AMBER))
    assert not can_read(peer, item(TLP.RED))
    assert allowed(peer, Action.FORWARD, item(TLP.GREEN), to("node-h", "HR", "g-balkan"))
    assert not allowed(peer, Action.FORWARD, item(TLP.AMBER), to("node-a", "IT"))


# Review dates


def test_review_overdue_is_noted_on_reads_and_blocks_passing_on() -> None:
    it = item(TLP.CLEAR, review_by=date(2024, 1, 31))
    later = Context(justification=WHY, today=date(2024, 2, 1), target_node="node-x")
    read = decide(NAMED, Action.READ, it, later)
    assert read.allowed
    assert "review overdue since 2024-01-31 (LED Art 5)" in read.reasons
    forward = decide(NAMED, Action.FORWARD, it, later)
    assert not forward.allowed
    assert forward.reasons[0].startswith("review overdue")
    assert allowed(NAMED, Action.FORWARD, it, Context(target_node="node-x"))  # no clock given
    on_the_day = Context(today=date(2024, 1, 31), target_node="node-x")
    assert allowed(NAMED, Action.FORWARD, it, on_the_day)
