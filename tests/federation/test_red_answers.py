"""A reply or acknowledgement made on a peer to a TLP:RED item is read, on the item's own node,
only by those who may read the item: its author and the members it names, not every member."""

from __future__ import annotations

import pytest

from csnet.access import Caller
from csnet.alerts import actions
from csnet.errors import NotFound
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.publishing import NewItem, publish
from csnet.reading import get_visible
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair
from tests.federation.test_handshake import peer_up


@pytest.fixture
def peered(pair: Pair) -> Pair:
    peer_up(pair)
    return pair


@pytest.mark.parametrize("answer", ["reply", "ack"])
def test_an_answer_from_a_peer_to_a_red_item_is_not_read_by_its_nodes_other_members(
    peered: Pair, answer: str
) -> None:
    a, b = peered.a, peered.b
    author = Caller(add_member(a, "author", Role.OFFICER)[0])
    named = Caller(add_member(a, "named", Role.ANALYST)[0])
    other = Caller(add_member(a, "other", Role.SUPERVISOR)[0])
    red = NewItem(
        "alert",
        alert_body(),
        Markings(tlp=TLP.RED),
        audience_nodes=(b.node_id,),
        audience_members=(named.member.id,),
    )
    original = publish(a, author, red)
    assert Delivery(a).flush(b.node_id) == 1
    at_b = Caller(add_member(b, "officer", Role.OFFICER)[0])
    if answer == "reply":
        made = actions.reply(b, at_b, original.id, "Seen at the port")
    else:
        made = actions.acknowledge(b, at_b, original.id, "seen")
    assert Delivery(b).flush(a.node_id) == 1
    assert get_visible(a, author, made.id).envelope.id == made.id
    assert get_visible(a, named, made.id).envelope.id == made.id
    with pytest.raises(NotFound):
        get_visible(a, other, made.id)
