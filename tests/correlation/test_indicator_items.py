"""An `indicator` item is sighted by its typed value (not by reading its text) and correlates."""

from __future__ import annotations

import pytest

from csnet.access import Caller
from csnet.correlation.indicator_item import add, indicator_body
from csnet.handling.roles import Role
from csnet.indicators.extract import extract
from csnet.items import item_indicators
from csnet.node import Node
from csnet.publishing import NewItem, publish
from tests.factories import add_member

PLATE = "GR:IKA1234"


@pytest.fixture
def officer(node: Node) -> Caller:
    member, _ = add_member(node, "officer", Role.OFFICER)
    return Caller(member)


def test_the_typed_value_is_sighted_though_text_extraction_misses_it(
    node: Node, officer: Caller
) -> None:
    assert extract(PLATE).found == []  # why: plates are found in text only after a label
    context = "white van, driver's number +92 300 1234567"
    body = indicator_body(node, "plate", "IKA-1234", context, country="GR")
    env = publish(node, officer, NewItem("indicator", body))
    found = [(i.type, i.value) for i in item_indicators.indicators_of(env)]
    assert found == [("plate", PLATE), ("phone", "+923001234567")]  # stated first, then context


def test_the_same_plate_added_twice_is_a_hit(node: Node, officer: Caller) -> None:
    first = publish(node, officer, NewItem("indicator", indicator_body(node, "plate", PLATE, "a")))
    added = add(node, officer, NewItem("indicator", indicator_body(node, "plate", PLATE, "b")))
    (hit,) = added.hits
    assert (hit.item_id, hit.other_id, hit.display) == (added.envelope.id, first.id, PLATE)
