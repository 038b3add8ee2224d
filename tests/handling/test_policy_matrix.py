"""The whole TLP x handling x role x action matrix, against an expectation table written here.

The expectation is written out independently of csnet.handling.policy, as the rules read in
docs/policy.md, so that a change to either shows up as a failure.
"""

from __future__ import annotations

from itertools import product

import pytest

from csnet.handling.actors import MemberActor
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Handling, HandlingCode, Markings
from csnet.handling.policy import Context, ItemFacts, RelayConsent, decide
from csnet.handling.roles import Action, Role

A, R = Action, Role
MAY = {
    R.OFFICER: {A.READ, A.SEARCH, A.FORWARD, A.ACT_ON},
    R.ANALYST: {A.READ, A.SEARCH, A.FORWARD, A.ACT_ON, A.EXPORT},
    R.SUPERVISOR: set(A),
    R.PROTECTION_OFFICER: {A.READ, A.SEARCH, A.FORWARD},
    R.ADMIN: {A.READ, A.SEARCH},
}
# (act_on permissions, H2 relay consent): the target is node-t, in group g-balkan.
CONSENTS: dict[str, tuple[frozenset[Action], RelayConsent | None]] = {
    "no-consent": (frozenset(), None),
    "consent": (frozenset({A.ACT_ON}), RelayConsent(nodes=frozenset({"node-t"}))),
    "consent-by-group": (frozenset({A.ACT_ON}), RelayConsent(groups=frozenset({"g-balkan"}))),
    "consent-elsewhere": (
        frozenset({A.FORWARD, A.ACT_ON}),  # a blanket FORWARD never stands in for H2 consent
        RelayConsent(nodes=frozenset({"node-z"}), groups=frozenset({"g-other"})),
    ),
}


def expected(
    who: str, tlp: TLP, code: HandlingCode, role: Role, action: Action, personal: bool, consent: str
) -> bool:
    """Origin member is not the author, and the origin node is not named; the target is named."""
    granted = CONSENTS[consent][0]
    origin = who == "origin"
    if action not in MAY[role] or (role is R.ADMIN and personal):
        return False
    if origin and tlp is TLP.RED:
        return False
    if action in (A.READ, A.SEARCH):
        return True
    if action is A.FORWARD:
        if origin:
            return True
        if tlp in (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED):
            return False
        return code is not HandlingCode.H2 or consent in ("consent", "consent-by-group")
    if action is A.EXPORT:
        if tlp in (TLP.AMBER_STRICT, TLP.RED):
            return origin and role is R.SUPERVISOR
        return True
    if action is A.DISCLOSE:
        return origin
    return origin or code not in (HandlingCode.H1, HandlingCode.H3) or A.ACT_ON in granted


def _item(tlp: TLP, code: HandlingCode, personal: bool) -> ItemFacts:
    text = "not to be shown to the press" if code is HandlingCode.H3 else None
    markings = Markings(tlp=tlp, handling=Handling(code=code, text=text))
    subjects = frozenset({DataSubjectCategory.WITNESS_CONTACT}) if personal else frozenset()
    return ItemFacts(
        origin="node-o",
        author="m-author",
        audience_nodes=frozenset({"node-a", "node-t"}),
        audience_groups=frozenset({"g-balkan"}),
        markings=markings,
        subjects=subjects,
    )


def _actor(who: str, role: Role) -> MemberActor:
    if who == "origin":
        return MemberActor("m-other", "node-o", "FR", role)
    return MemberActor("m-reader", "node-a", "IT", role, frozenset({"g-balkan"}))


CASES = list(product(("origin", "audience"), TLP, HandlingCode, Role, Action))
VARIANTS = list(product((False, True), tuple(CONSENTS)))  # inside each case: keeps the run quick


@pytest.mark.parametrize(("who", "tlp", "code", "role", "action"), CASES)
def test_matrix(who: str, tlp: TLP, code: HandlingCode, role: Role, action: Action) -> None:
    for personal, consent in VARIANTS:
        context = Context(
            target_node="node-t",
            target_country="DE",
            target_groups=frozenset({"g-balkan"}),
            originator_consent=CONSENTS[consent][0],
            relay_consent=CONSENTS[consent][1],
            justification="case 2024/17: facilitation network",
        )
        decision = decide(_actor(who, role), action, _item(tlp, code, personal), context)
        want = expected(who, tlp, code, role, action, personal, consent)
        assert decision.allowed is want, (personal, consent, decision.reasons)
        assert decision.reasons or decision.allowed  # a denial always says why


def test_matrix_is_complete() -> None:
    assert len(CASES) * len(VARIANTS) == 2 * 5 * 4 * 5 * 6 * 2 * 4
