"""An erased item does not come back: once its origin's tombstone is held, the original bytes
arriving again (a late relay, A's own old outbox, an overlapping pull through a third node) are
erased on arrival; and the tombstone itself is never erased or replaced by another origin."""

from __future__ import annotations

import pytest

from csnet.alerts import actions
from csnet.audit.query import AuditFilter, list_entries
from csnet.federation import pull
from csnet.federation.delivery import Delivery
from csnet.handling.markings import TLP, Markings
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store import item_store
from tests.factories import alert_body
from tests.federation import test_link_rules
from tests.federation.test_consent import peer_at
from tests.federation.test_link_rules import Net, forge, member, publish_to, push, readable

add_node, net = test_link_rules.add_node, test_link_rules.net  # the fixtures


def held(node: Node, item_id: str) -> bool:
    with node.store.read() as conn:
        return item_store.get_item(conn, item_id) is not None


def erased_on_arrival(node: Node, item_id: str) -> bool:
    """Whether the node audited the item's bytes as arriving and erased at once."""
    with node.store.read() as conn:
        found = list_entries(conn, AuditFilter(item_id=item_id), limit=20)
    return any(e["details"].get("erased_on_arrival") for e in found if e["action"] == "erasure")


def erased_everywhere(net: Net) -> tuple[Envelope, Envelope]:
    """A's GREEN alert, delivered to B and C, then erased by A, the tombstone delivered too."""
    alert = publish_to(net.a, net.b, net.c, markings=Markings(tlp=TLP.GREEN))
    assert held(net.b, alert.id) and held(net.c, alert.id)
    tomb = actions.erase(net.a, member(net.a), alert.id, "recorded in error", None)
    Delivery(net.a).flush_all()
    assert not held(net.b, alert.id) and held(net.b, tomb.id)
    return alert, tomb


@pytest.mark.parametrize("relay", ["third-node", "origin-outbox"])
def test_the_original_pushed_again_after_its_erasure_is_erased_on_arrival(
    net: Net, relay: str
) -> None:
    alert, tomb = erased_everywhere(net)
    sender = net.c if relay == "third-node" else net.a
    answer = push(net, sender, net.b, [alert])
    assert answer.status == 200 and answer.json()["accepted"] == [alert.id]
    assert not held(net.b, alert.id) and not readable(net.b, alert.id)
    assert held(net.b, tomb.id)
    assert erased_on_arrival(net.b, alert.id)


def test_the_original_pulled_again_through_a_third_node_is_erased_on_arrival(net: Net) -> None:
    alert = publish_to(net.a, net.b, net.c, markings=Markings(tlp=TLP.GREEN))
    Delivery(net.c).flush(net.b.node_id)  # C's relay of it to B is done: a pull serves it
    actions.erase(net.a, member(net.a), alert.id, "recorded in error", None)
    Delivery(net.a).flush(net.b.node_id)  # C never got the tombstone: it still serves the item
    assert held(net.c, alert.id) and not held(net.b, alert.id)
    pull.pull_origin(net.b, peer_at(net.b, net.c), net.a.node_id)
    asked = [url for _m, url, _h, _b in net.pair.transport.sent if "/federation/items?" in url]
    assert asked and all(url.startswith(net.url(net.c)) for url in asked)
    assert erased_on_arrival(net.b, alert.id)
    assert not held(net.b, alert.id) and not readable(net.b, alert.id)


@pytest.mark.parametrize("when", ["after", "before"])
def test_another_origin_cannot_erase_or_replace_the_tombstone(net: Net, when: str) -> None:
    """B forges a tombstone and a correction of A's tombstone; sent before the tombstone
    reaches C they are kept but never apply, sent after they are refused as not_origin."""
    alert = publish_to(net.a, net.b, net.c, markings=Markings(tlp=TLP.GREEN))
    tomb = actions.erase(net.a, member(net.a), alert.id, "recorded in error", None)
    unerase = forge(net, net.b, "tombstone", {"reason": "x"}, refers_to=tomb.id, supersedes=tomb.id)
    replace = forge(net, net.b, "alert", alert_body(title="Back"), supersedes=tomb.id)
    if when == "after":
        Delivery(net.a).flush(net.c.node_id)
    answer = push(net, net.b, net.c, [unerase, replace]).json()
    if when == "after":
        assert sorted(r["code"] for r in answer["refused"]) == ["not_origin", "not_origin"]
    else:
        assert sorted(answer["accepted"]) == sorted((unerase.id, replace.id))
        Delivery(net.a).flush(net.c.node_id)
    with net.c.store.read() as conn:
        kept = item_store.get_item(conn, tomb.id)
    assert kept is not None and kept.superseded_by is None
    push(net, net.b, net.c, [alert])
    assert not held(net.c, alert.id)
