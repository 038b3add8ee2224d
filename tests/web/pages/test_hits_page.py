"""/hits: each hit with its value, both items and why; personal data only with a
justification (POST, audited); paging; empty state; CSRF."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

from csnet.access import Caller
from csnet.audit.query import AuditFilter, list_entries
from csnet.federation.delivery import Delivery
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair, clock, pair  # noqa: F401
from tests.federation.test_handshake import peer_up
from tests.web.pages.conftest import log_in

NUMBER = "+92 300 1234567"
SUSPECT = {"name": "A. B.", "category": "suspect"}
_POSTERS = count()


def post(node: Node, text: str, persons: tuple[dict[str, str], ...] = ()) -> str:
    poster = Caller(add_member(node, f"poster{next(_POSTERS)}", Role.OFFICER)[0])
    subjects = tuple(sorted({DataSubjectCategory(p["category"]) for p in persons}))
    markings = Markings(tlp=TLP.AMBER, subjects=subjects)
    body = alert_body(text=text, persons=list(persons))
    return publish(node, poster, NewItem("alert", body, markings)).id


def test_empty_state_and_link_to_disclosures(node: Node) -> None:
    page = log_in(node).client.get("/hits")
    assert page.status_code == 200
    assert "No hits yet." in page.text and 'href="/disclosures"' in page.text


def test_a_hit_between_two_items_with_its_reason(node: Node) -> None:
    first = post(node, f"Agent phone {NUMBER}")
    second = post(node, "Same agent reachable on 0300 1234567")
    page = log_in(node, "reader", Role.ANALYST).client.get("/hits")
    assert page.status_code == 200
    assert f'href="/items/{first}"' in page.text and f'href="/items/{second}"' in page.text
    assert "+92 300 1234567" in page.text and "Phone number" in page.text
    assert f"item {second[:12]}" in page.text and "first seen" in page.text
    assert 'action="/disclosures"' not in page.text  # no peer to ask yet


def test_personal_data_hit_needs_a_justification(node: Node) -> None:
    one = post(node, f"phone {NUMBER}", (SUSPECT,))
    post(node, f"phone {NUMBER}")
    browser = log_in(node, "reader", Role.ANALYST)
    hidden = browser.client.get("/hits")
    assert "Value withheld" in hidden.text and "1234567" not in hidden.text
    assert 'action="/hits"' in hidden.text and "Art 25" in hidden.text
    assert browser.post("/hits", {"justification": " "}).status_code == 422
    shown = browser.post("/hits", {"justification": "case 2026/114"})
    assert shown.status_code == 200 and "+92 300 1234567" in shown.text
    with node.store.read() as conn:
        audit = list_entries(conn, AuditFilter(item_id=one, action="consultation"), limit=10)
    assert [(e["justification"], e["details"]["via"]) for e in audit] == [("case 2026/114", "hits")]


def test_hits_are_paged(node: Node) -> None:
    for i in range(8):  # 8 items on one value: 28 hits
        post(node, f"case {i}: phone {NUMBER}")
    browser = log_in(node)
    first = browser.client.get("/hits")
    assert first.text.count('class="feed-entry is-hit hit-entry"') == 25
    link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = browser.client.get(link.replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count('class="feed-entry is-hit hit-entry"') == 3
    assert browser.client.get("/hits?before=garbage").status_code == 422


def test_post_without_csrf_is_refused(node: Node) -> None:
    browser = log_in(node)
    response = browser.client.post("/hits", data={"justification": "case 1"})
    assert response.status_code == 403


@pytest.fixture
def peered(pair: Pair) -> Pair:  # noqa: F811
    pair.clock.current = datetime.now(UTC)  # why: TOTP codes at login follow the real clock
    peer_up(pair)
    return pair


def test_a_hit_with_a_peers_item_offers_a_disclosure_request(peered: Pair) -> None:
    a, b = peered.a, peered.b
    sharer = Caller(add_member(b, "sharer", Role.OFFICER)[0])
    body = alert_body(title="Agent in Athens", text=f"Agent phone {NUMBER}")
    shared = publish(b, sharer, NewItem("alert", body, audience_nodes=(a.node_id,))).id
    assert Delivery(b).flush(a.node_id) == 1
    mine = post(a, f"Our informant named {NUMBER}")
    browser = log_in(a, "reader", Role.ANALYST)
    page = browser.client.get("/hits")
    assert f'href="/items/{shared}"' in page.text and f'href="/items/{mine}"' in page.text
    assert 'action="/disclosures"' in page.text and "GR-HCG" in page.text
    assert f'<option value="{b.node_id}" selected' in page.text
    asked = browser.post(
        "/disclosures",
        {"peer": b.node_id, "value_type": "phone", "value": NUMBER, "justification": "hit"},
        follow_redirects=False,
    )
    assert asked.status_code == 303 and asked.headers["location"].endswith("?done=requested")
