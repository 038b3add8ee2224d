"""The consent service: granting and withdrawing are each one signed item with one audit entry,
whoever acts; a member who may not decide, or a bad request, leaves nothing behind."""

from __future__ import annotations

import pytest

from csnet.audit import AuditAction
from csnet.errors import BadInput, Forbidden
from csnet.federation import consent_ops
from csnet.handling.markings import TLP, Handling, HandlingCode
from csnet.handling.roles import Role
from csnet.items.envelope import Envelope
from tests.factories import add_member
from tests.federation.audited import count, entries
from tests.federation.conftest import Pair
from tests.federation.test_delivery import _officer, post, queued
from tests.federation.test_handshake import peer_up

ELSEWHERE = "csn" + "c" * 24  # a node the item may be passed on to
H2 = Handling(code=HandlingCode.H2)


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def h2_item(pair: Pair) -> Envelope:
    (env,) = post(pair.a, to=(pair.b.node_id,), tlp=TLP.GREEN, handling=H2, network_wide=True)
    return env


def onward(purpose: str = "JIT-7") -> consent_ops.Request:
    return consent_ops.Request(frozenset({ELSEWHERE}), frozenset(), purpose)


def test_grant_and_withdraw_are_audited_once_each(peered: Pair) -> None:
    a, item = peered.a, h2_item(peered)
    author = consent_ops.member_issuer(_officer(a), "case 7")
    granted = consent_ops.grant(a, item.id[:12], onward(), author)
    assert granted.nodes == {ELSEWHERE} and granted.item_id == item.id
    withdrawn = consent_ops.withdraw(a, item.id, author)
    assert withdrawn.state(a.now()) == "withdrawn"
    first, second = [e for e in entries(a, AuditAction.COLLECTION) if "consent" in e["details"]]
    assert first == {
        "actor": f"member:{author.author}",
        "action": "collection",
        "item_id": granted.consent_id,
        "justification": "case 7",
        "recipients": [f"node:{ELSEWHERE}"],
        "details": {"kind": "consent", "consent": "granted", "item": item.id},
    }
    assert second == {
        **first,
        "item_id": withdrawn.consent_id,
        "recipients": [],
        "details": {"kind": "consent", "consent": "withdrawn", "item": item.id},
    }
    assert {(p, i) for p, i, _ in queued(a)} >= {(peered.b.node_id, withdrawn.consent_id)}


def test_only_the_author_or_a_supervisor_decides(peered: Pair) -> None:
    a, item = peered.a, h2_item(peered)
    other, _ = add_member(a, "other", Role.OFFICER)
    boss, _ = add_member(a, "boss", Role.SUPERVISOR)
    before = (count(a), queued(a))
    with pytest.raises(Forbidden) as caught:
        consent_ops.grant(a, item.id, onward(), consent_ops.member_issuer(other))
    assert caught.value.error_code == "role_denied"
    assert (count(a), queued(a)) == before
    consent_ops.grant(a, item.id, onward(), consent_ops.member_issuer(boss))
    with pytest.raises(Forbidden):
        consent_ops.withdraw(a, item.id, consent_ops.member_issuer(other))
    host = consent_ops.Issuer("host:admin")  # the host acts for the node as a whole
    assert consent_ops.withdraw(a, item.id, host).state(a.now()) == "withdrawn"


def test_a_bad_request_stores_nothing(peered: Pair) -> None:
    a, item = peered.a, h2_item(peered)
    before = (count(a), queued(a))
    empty = consent_ops.Request(frozenset(), frozenset(), "JIT-7")
    with pytest.raises(BadInput) as caught:
        consent_ops.grant(a, item.id, empty, consent_ops.Issuer("host:admin"))
    assert caught.value.error_code == "empty_consent"
    assert (count(a), queued(a)) == before
    assert consent_ops.list_consents(a) == []
