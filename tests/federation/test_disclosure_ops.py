"""The disclosure service: an answer is one signed item, stored with its audit entries in the
publishing transaction (the item's collection, and the decision with its reason); a refused
answer stores nothing; the state shown after one's own action is not a consultation."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.audit import AuditAction
from csnet.correlation import disclosure_ops
from csnet.errors import Conflict, Forbidden, NotFound
from csnet.handling.roles import Role
from csnet.items.envelope import Envelope
from csnet.node import Node
from tests.federation.audited import count, entries
from tests.federation.conftest import Pair
from tests.federation.test_disclosures import CANONICAL, ask, caller, hold, peered, state

__all__ = ["peered"]  # the fixture, used by name


def collected(answer: Envelope, actor: str, reason: str) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": "collection",
        "item_id": answer.id,
        "justification": reason,
        "recipients": [f"node:{n}" for n in answer.audience.nodes],
        "details": {"kind": "disclosure", "seq": answer.seq},
    }


def since(node: Node, before: int) -> list[dict[str, Any]]:
    """The entries written since, by action: one transaction writes them in projection order."""
    return sorted(entries(node)[before:], key=lambda e: str(e["action"]))


def test_an_approval_is_audited_as_collected_and_disclosed(peered: Pair) -> None:
    a, b = peered.a, peered.b
    held = hold(b)
    request = ask(peered)
    boss = caller(b, Role.SUPERVISOR)
    before = count(b)
    answer = disclosure_ops.approve(b, boss, request.id, "Prosecutor agreed")
    actor = f"member:{boss.member.id}"
    assert since(b, before) == [
        collected(answer, actor, "Prosecutor agreed"),
        {
            "actor": actor,
            "action": "disclosure",
            "item_id": held,
            "justification": "Prosecutor agreed",
            "recipients": [f"node:{a.node_id}"],
            "details": {
                "what": "disclosure_request",
                "decision": "approved",
                "request": request.id,
                "disclosure": answer.id,
            },
        },
    ]
    assert state(b, request.id).status == "approved"


def test_a_decline_is_audited_as_collected_and_consulted(peered: Pair) -> None:
    a, b = peered.a, peered.b
    request = ask(peered)
    boss = caller(b, Role.SUPERVISOR)
    before = count(b)
    answer = disclosure_ops.decline(b, boss, request.id, "No legal basis")
    actor = f"member:{boss.member.id}"
    consulted = since(b, before)[1]
    assert since(b, before)[0] == collected(answer, actor, "No legal basis")
    assert (consulted["action"], consulted["item_id"]) == ("consultation", request.id)
    assert consulted["details"]["decision"] == "declined"
    assert consulted["recipients"] == [f"node:{a.node_id}"]


def test_a_refused_answer_stores_nothing(peered: Pair) -> None:
    b = peered.b
    hold(b)
    request = ask(peered)
    before = count(b)
    with pytest.raises(Forbidden) as caught:
        disclosure_ops.approve(b, caller(b, Role.OFFICER), request.id, "Agreed")
    assert caught.value.error_code == "role_denied"
    with pytest.raises(NotFound):
        disclosure_ops.approve(b, caller(b, Role.SUPERVISOR), request.id, "Agreed", "ab" * 32)
    assert count(b) == before and state(b, request.id).status == "pending"
    disclosure_ops.decline(b, caller(b, Role.SUPERVISOR, "second"), request.id, "No")
    after_decline = count(b)
    with pytest.raises(Conflict):
        disclosure_ops.approve(b, caller(b, Role.SUPERVISOR, "third"), request.id, "Agreed")
    assert count(b) == after_decline


def test_after_action_shows_the_request_in_full_and_audits_nothing(peered: Pair) -> None:
    a = peered.a
    request = ask(peered)
    before = count(a)
    shown = disclosure_ops.after_action(a, request.id)
    assert (shown.restricted, shown.request.value, shown.request.status) == (
        False,
        CANONICAL,
        "pending",
    )
    assert count(a) == before and not entries(a, AuditAction.CONSULTATION)
    with pytest.raises(NotFound):
        disclosure_ops.after_action(a, "ab" * 32)
