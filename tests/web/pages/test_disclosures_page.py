"""/disclosures on two nodes: A's officer asks from the page, B's supervisor approves or
declines from the page and the answer reaches A; officers get no decision forms and their
POSTs are refused; values need a justification; domain refusals are shown on the form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csnet.access import Caller
from csnet.audit.query import AuditFilter, list_entries
from csnet.correlation import disclosures
from csnet.federation.delivery import Delivery
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings, Releasability
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair, clock, pair  # noqa: F401
from tests.federation.test_handshake import peer_up
from tests.web.pages.conftest import Browser, log_in

PHONE = "+92 300 1234567"
CANONICAL = "+923001234567"
HELD = Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,))


@pytest.fixture
def peered(pair: Pair) -> Pair:  # noqa: F811
    pair.clock.current = datetime.now(UTC)  # why: TOTP codes at login follow the real clock
    peer_up(pair)
    return pair


def hold(node: Node, markings: Markings = HELD) -> str:
    keeper = Caller(add_member(node, "keeper", Role.OFFICER)[0])
    body = alert_body(text=f"Broker on {PHONE}", persons=[{"name": "T. A.", "category": "suspect"}])
    return publish(node, keeper, NewItem("alert", body, markings)).id


def ask(pair: Pair) -> str:  # noqa: F811
    """A's officer opens a request from the page; it reaches B."""
    officer = log_in(pair.a, "asker", Role.OFFICER)
    form = {"peer": pair.b.node_id, "value_type": "phone", "value": "0300 1234567"}
    answer = officer.post(
        "/disclosures", {**form, "justification": "hit in case 7"}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/disclosures/") and location.endswith("?done=requested")
    assert Delivery(pair.a).flush(pair.b.node_id) == 1
    return location.split("/")[2].split("?")[0]


def state(node: Node, request_id: str) -> disclosures.Request:
    with node.store.read() as conn:
        found = disclosures.get(conn, request_id)
    assert found is not None
    return found


def test_empty_state(node: Node) -> None:
    page = log_in(node).client.get("/disclosures")
    assert page.status_code == 200 and "No disclosure requests." in page.text
    assert "No active peer node to ask." in page.text


def test_supervisor_approves_and_the_answer_reaches_the_asker(peered: Pair) -> None:
    a, b = peered.a, peered.b
    held = hold(b)
    request_id = ask(peered)
    assert state(b, request_id).value == CANONICAL
    boss = log_in(b, "boss", Role.SUPERVISOR)
    page = boss.client.get(f"/disclosures/{request_id}")
    assert page.status_code == 200 and "Approve" in page.text and "Decline" in page.text
    assert "withheld" in page.text and CANONICAL not in page.text
    done = boss.post(
        f"/disclosures/{request_id}/approve",
        {"reason": "Prosecutor agreed"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/disclosures/{request_id}?done=approved"
    after = boss.client.get(done.headers["location"])
    assert "Approved: the item is on its way" in after.text and "/approve" not in after.text
    assert Delivery(b).flush(a.node_id) == 1
    at_a = state(a, request_id)
    assert at_a.status == "approved" and at_a.reason == "Prosecutor agreed"
    asker_view = log_in(a, "reader", Role.OFFICER).client.get(f"/disclosures/{request_id}")
    assert (
        "approved" in asker_view.text and f'href="/items/{at_a.disclosure_id}"' in asker_view.text
    )
    assert state(b, request_id).disclosure_id == at_a.disclosure_id
    assert held  # the newest item holding the value openly was chosen


def test_supervisor_declines_with_a_reason_then_a_second_decision_conflicts(
    peered: Pair,
) -> None:
    a, b = peered.a, peered.b
    hold(b)
    request_id = ask(peered)
    boss = log_in(b, "boss", Role.SUPERVISOR)
    empty = boss.post(f"/disclosures/{request_id}/decline", {"reason": "  "})
    assert empty.status_code == 422 and 'class="form-errors"' in empty.text
    assert state(b, request_id).status == "pending"
    done = boss.post(
        f"/disclosures/{request_id}/decline", {"reason": "No legal basis"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?done=declined")
    assert state(b, request_id).status == "declined"
    again = boss.post(f"/disclosures/{request_id}/approve", {"reason": "changed my mind"})
    assert again.status_code == 409
    assert 'class="form-errors"' in again.text and "already declined" in again.text
    Delivery(b).flush(a.node_id)
    assert state(a, request_id).status == "declined"


def test_disclosure_forbidden_is_shown_on_the_form(peered: Pair) -> None:
    closed = hold(
        peered.b,
        HELD.model_copy(update={"releasability": Releasability(exclude_countries=("PK",))}),
    )
    request_id = ask(peered)
    boss = log_in(peered.b, "boss", Role.SUPERVISOR)
    refused = boss.post(f"/disclosures/{request_id}/approve", {"reason": "ok", "item": closed})
    assert refused.status_code == 403
    assert 'class="form-errors"' in refused.text and "may not be disclosed" in refused.text
    assert f'value="{closed}"' in refused.text  # what was entered is kept
    assert state(peered.b, request_id).status == "pending"


def test_an_officer_gets_no_decision_forms_and_a_post_is_refused(peered: Pair) -> None:
    hold(peered.b)
    request_id = ask(peered)
    officer = log_in(peered.b, "officer", Role.OFFICER)
    page = officer.client.get(f"/disclosures/{request_id}")
    assert page.status_code == 200
    assert "/approve" not in page.text and "/decline" not in page.text
    assert "A supervisor of this node decides" in page.text
    refused = officer.post(f"/disclosures/{request_id}/approve", {"reason": "why not"})
    assert refused.status_code == 403 and 'class="form-errors"' in refused.text
    assert officer.post(f"/disclosures/{request_id}/decline", {"reason": "x"}).status_code == 403
    assert state(peered.b, request_id).status == "pending"


def test_values_are_listed_with_a_justification_and_audited(peered: Pair) -> None:
    hold(peered.b)
    request_id = ask(peered)
    analyst = log_in(peered.b, "analyst", Role.ANALYST)
    listed = analyst.client.get("/disclosures?direction=incoming&status=pending")
    assert listed.status_code == 200 and f'href="/disclosures/{request_id}"' in listed.text
    assert CANONICAL not in listed.text and "withheld" in listed.text
    assert analyst.post("/disclosures/view", {"justification": ""}).status_code == 422
    shown = analyst.post("/disclosures/view", {"justification": "review of case 7"})
    assert CANONICAL in shown.text
    outgoing = analyst.client.get("/disclosures?direction=outgoing")
    assert "No disclosure requests." in outgoing.text
    one = analyst.post(f"/disclosures/{request_id}/view", {"justification": "case 7"})
    assert CANONICAL in one.text and "hit in case 7" in one.text
    with peered.b.store.read() as conn:
        audit = list_entries(conn, AuditFilter(item_id=request_id, action="consultation"), limit=9)
    assert {e["justification"] for e in audit} == {"review of case 7", "case 7"}


def test_a_bad_request_stores_nothing_and_keeps_the_values(peered: Pair) -> None:
    officer = log_in(peered.a, "asker", Role.OFFICER)
    form = {"peer": peered.b.node_id, "value_type": "phone", "value": "0300 1234567"}
    missing = officer.post("/disclosures", {**form, "justification": ""})
    assert missing.status_code == 422 and 'value="0300 1234567"' in missing.text
    invalid = officer.post("/disclosures", {**form, "value": "not a phone", "justification": "x"})
    assert invalid.status_code == 422 and 'class="form-errors"' in invalid.text
    with peered.a.store.read() as conn:
        rows = disclosures.page(
            conn, peered.a.node_id, status=None, direction=None, before=None, limit=5
        )
    assert rows == []


def test_post_without_csrf_is_refused(node: Node) -> None:
    browser: Browser = log_in(node)
    response = browser.client.post("/disclosures", data={"peer": "x", "justification": "y"})
    assert response.status_code == 403


def test_an_administrator_is_told_why_there_is_no_list(node: Node) -> None:
    page = log_in(node, "root", Role.ADMIN).client.get("/disclosures")
    assert page.status_code == 200
    assert "Node administrators do not consult disclosure requests" in page.text
    assert "<table" not in page.text
