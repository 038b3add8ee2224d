"""The hit rule, pure: both items readable; never a protected person's data as a suspect hit."""

from __future__ import annotations

import pytest

from csnet.correlation.rule import Verdict, judge
from csnet.handling.actors import MemberActor
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.policy import Context, ItemFacts
from csnet.handling.roles import Role

HERE, ELSEWHERE = "node-pk", "node-gr"
PLAIN = ItemFacts(origin=HERE, author="m1", markings=Markings(tlp=TLP.AMBER))
SUSPECT = ItemFacts(
    origin=HERE,
    author="m1",
    markings=Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,)),
)
VICTIM = ItemFacts(
    origin=HERE,
    author="m1",
    markings=Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.VICTIM,)),
)
MIGRANT_IN_BODY = ItemFacts(
    origin=HERE, author="m1", subjects=frozenset({DataSubjectCategory.SMUGGLED_MIGRANT})
)
UNREADABLE = ItemFacts(origin=ELSEWHERE, author="m9", markings=Markings(tlp=TLP.RED))
WHY = Context(justification="case 2026/114")


def actor(role: Role) -> MemberActor:
    return MemberActor("m2", HERE, "PK", role, frozenset())


@pytest.mark.parametrize(
    ("role", "this", "other", "ctx", "expected"),
    [
        (Role.OFFICER, PLAIN, PLAIN, Context(), Verdict("suspect", False)),
        (Role.OFFICER, SUSPECT, PLAIN, Context(), Verdict("suspect", True)),
        (Role.OFFICER, SUSPECT, PLAIN, WHY, Verdict("suspect", False)),
        (Role.OFFICER, PLAIN, UNREADABLE, WHY, None),
        (Role.OFFICER, VICTIM, SUSPECT, WHY, None),
        (Role.ANALYST, SUSPECT, MIGRANT_IN_BODY, WHY, None),
        (Role.SUPERVISOR, PLAIN, VICTIM, WHY, None),
        (Role.PROTECTION_OFFICER, PLAIN, VICTIM, WHY, Verdict("protection", False)),
        (Role.PROTECTION_OFFICER, VICTIM, PLAIN, Context(), Verdict("protection", True)),
        (Role.PROTECTION_OFFICER, PLAIN, PLAIN, Context(), Verdict("suspect", False)),
        (Role.ADMIN, SUSPECT, PLAIN, WHY, None),
    ],
)
def test_judge(
    role: Role, this: ItemFacts, other: ItemFacts, ctx: Context, expected: Verdict | None
) -> None:
    assert judge(actor(role), this, other, ctx) == expected
