"""Correlation across two nodes: the same number in an alert on A and a note on B is a live hit
for the members of both."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csnet.access import Caller
from csnet.correlation.hits import list_hits
from csnet.correlation.indicator_item import indicator_body
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish
from tests.factories import add_member, alert_body, api, token_for
from tests.federation.conftest import Pair
from tests.federation.test_handshake import peer_up
from tests.web.test_live import parse_sse, read_stream

NOTE = {"title": "Broker's number", "text": "", "topic": "modus_operandi"}


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


def officer(node: Node) -> Caller:
    member, _ = add_member(node, f"officer{node.identity.name.lower()[:2]}", Role.OFFICER)
    return Caller(member)


def share(node: Node, to: Node, kind: str, body: dict[str, Any]) -> Envelope:
    news = NewItem(kind, body, Markings(tlp=TLP.AMBER), audience_nodes=(to.node_id,))
    return publish(node, officer(node), news)


def hits_in_stream(node: Node) -> list[dict[str, Any]]:
    member, _ = add_member(node, f"watch{node.identity.name.lower()[:2]}", Role.ANALYST)
    events = parse_sse(read_stream(api(node, token_for(node, member)), after=0))
    return [json.loads(e["data"]) for e in events if e["event"] == "hit"]


def test_alert_on_a_and_note_on_b_make_a_live_hit_on_both(peered: Pair) -> None:
    a, b = peered.a, peered.b
    alert = share(a, b, "alert", alert_body(text="Organiser on +92 300 1234567"))
    # the same number on B, written in Arabic-Indic digits with the national prefix
    note = share(b, a, "note", {**NOTE, "text": "Contact: ٠٠٩٢ ٣٠٠ ١٢٣٤٥٦٧"})
    assert Delivery(a).flush(b.node_id) == 1
    assert Delivery(b).flush(a.node_id) == 1
    for node in (a, b):
        (hit,) = hits_in_stream(node)
        assert {hit["item_id"], hit["other_id"]} == {alert.id, note.id}
        assert hit["value_type"] == "phone" and hit["display"] == "+92 300 1234567"
        assert hit["other_origin"] in {a.node_id, b.node_id} and hit["purpose"] == "suspect"
        assert "first seen" in hit["reason"]
        (listed,) = list_hits(node, officer_of(node)).hits
        assert {listed.item_id, listed.other_id} == {alert.id, note.id}


def officer_of(node: Node) -> Caller:
    member, _ = add_member(node, f"reader{node.identity.name.lower()[:2]}", Role.OFFICER)
    return Caller(member)


def test_an_item_not_addressed_to_the_member_makes_no_visible_hit(peered: Pair) -> None:
    a, b = peered.a, peered.b
    share(a, b, "alert", alert_body(text="Organiser on +92 300 1234567"))
    # kept on B only: A never receives it, so A has nothing to correlate
    publish(b, officer(b), NewItem("note", {**NOTE, "text": "+92 300 1234567"}))
    assert Delivery(a).flush(b.node_id) == 1
    assert hits_in_stream(a) == []
    assert len(hits_in_stream(b)) == 1


def test_an_indicator_recorded_on_a_correlates_on_b(peered: Pair) -> None:
    a, b = peered.a, peered.b
    held = NewItem("alert", alert_body(text="Organiser on +92 300 1234567"))  # B only
    alert = publish(b, officer(b), held)
    seen = indicator_body(a, "phone", "0300-1234567", "seen on a recruitment post")
    indicator = share(a, b, "indicator", seen)  # read in A's country: PK
    assert Delivery(a).flush(b.node_id) == 1
    (hit,) = hits_in_stream(b)
    assert (hit["item_id"], hit["other_id"]) == (indicator.id, alert.id)
