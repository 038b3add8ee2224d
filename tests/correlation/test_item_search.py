"""Free-text search over items: words found through the text projection, filtered by policy,
newest first and paged; erased and corrected items are not found; personal data is withheld
until a justification is given, then audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from csnet.access import Caller
from csnet.audit.query import AuditFilter, list_entries
from csnet.correlation.item_search import search_items
from csnet.correlation.item_text import Filters, terms, words_of
from csnet.errors import BadInput
from csnet.federation.delivery import Delivery
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store.tables import item_text
from tests.factories import add_member, alert_body
from tests.federation.conftest import Pair, clock, pair  # noqa: F401
from tests.federation.test_handshake import peer_up


def member(node: Node, name: str, role: Role = Role.OFFICER) -> Caller:
    return Caller(add_member(node, name, role)[0])


def alert(
    node: Node, who: Caller, title: str, markings: Markings | None = None, **body: object
) -> str:
    new = NewItem("alert", alert_body(title=title, **body), markings or Markings(tlp=TLP.AMBER))
    return publish(node, who, new).id


def test_words_of_an_alert() -> None:
    words = words_of("alert", alert_body(title="Boat", tags=["sar"]))
    assert "Boat" in words and "sar" in words and "South of Gavdos" in words
    assert words_of("tombstone", {"title": "x"}) == ""
    assert terms('Zaranj "OR" x*') == ["zaranj", "or", "x"]


def test_a_word_of_the_title_finds_the_item_newest_first(node: Node) -> None:
    poster = member(node, "poster")
    old = alert(node, poster, "Rubber dinghy near Zuwara")
    new = alert(node, poster, "Second dinghy sighted")
    alert(node, poster, "Truck at the border")
    found = search_items(node, member(node, "reader"), "DINGHY")
    assert [s.envelope.id for s in found.items] == [new, old]
    assert found.next_before is None and found.withheld == 0
    prefix = search_items(node, member(node, "reader2"), "zuwa")
    assert [s.envelope.id for s in prefix.items] == [old]


def test_pages_with_a_cursor(node: Node) -> None:
    poster = member(node, "poster")
    ids = [alert(node, poster, f"Convoy number {i}") for i in range(5)]
    reader = member(node, "reader")
    first = search_items(node, reader, "convoy", limit=2)
    assert [s.envelope.id for s in first.items] == ids[::-1][:2]
    assert first.next_before is not None
    rest = search_items(node, reader, "convoy", limit=2, before=first.next_before)
    last = search_items(node, reader, "convoy", limit=2, before=rest.next_before)
    assert [s.envelope.id for s in rest.items + last.items] == ids[::-1][2:]
    assert last.next_before is None


def test_filters_kind_origin_and_dates(node: Node) -> None:
    poster = member(node, "poster")
    item = alert(node, poster, "Vessel Karim")
    reader = member(node, "reader")
    assert search_items(node, reader, "karim", Filters(kinds=("note",))).items == []
    assert search_items(node, reader, "karim", Filters(origin="csnelsewhere")).items == []
    today = node.now()
    later = Filters(since=today + timedelta(days=1))
    assert search_items(node, reader, "karim", later).items == []
    window = Filters(kinds=("alert",), origin=node.node_id, since=today - timedelta(days=1))
    assert [s.envelope.id for s in search_items(node, reader, "karim", window).items] == [item]


def test_not_an_item_the_member_may_not_see(node: Node) -> None:
    author = member(node, "author")
    personal = Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,))
    alert(node, author, "Meeting in Bihac", personal)
    # node administrators may not consult personal data, justified or not: not even withheld
    admin = Caller(add_member(node, "root", Role.ADMIN)[0], "audit check")
    found = search_items(node, admin, "bihac")
    assert found.items == [] and found.withheld == 0


def test_corrected_and_erased_items_are_not_found(node: Node) -> None:
    poster = member(node, "poster")
    first = alert(node, poster, "Minibus Quetta")
    fixed = publish(
        node,
        poster,
        NewItem("alert", alert_body(title="Minibus Quetta corrected"), supersedes=first),
    ).id
    reader = member(node, "reader")
    assert [s.envelope.id for s in search_items(node, reader, "quetta").items] == [fixed]
    publish(node, poster, NewItem("tombstone", {"reason": "entered in error"}, refers_to=fixed))
    assert search_items(node, reader, "quetta").items == []
    with node.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(item_text)).scalar_one() == 0


def test_personal_data_is_withheld_until_justified_then_audited(node: Node) -> None:
    poster = member(node, "poster")
    personal = Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,))
    item = alert(node, poster, "Broker Haji", personal)
    reader = add_member(node, "reader", Role.ANALYST)[0]
    hidden = search_items(node, Caller(reader), "haji")
    assert hidden.items == [] and hidden.withheld == 1
    shown = search_items(node, Caller(reader, "case 2026/7"), "haji")
    assert [s.envelope.id for s in shown.items] == [item] and shown.withheld == 0
    with node.store.read() as conn:
        entries = list_entries(conn, AuditFilter(item_id=item, action="consultation"), limit=10)
    assert [e["justification"] for e in entries] == ["case 2026/7"]


def test_a_query_without_words_is_refused(node: Node) -> None:
    with pytest.raises(BadInput):
        search_items(node, member(node, "reader"), " *** ")


def test_items_received_from_a_peer_are_found(pair: Pair) -> None:  # noqa: F811
    peer_up(pair)
    a, b = pair.a, pair.b
    sharer = member(b, "sharer")
    new = NewItem("alert", alert_body(title="Ferry at Igoumenitsa"), audience_nodes=(a.node_id,))
    shared = publish(b, sharer, new).id
    assert Delivery(b).flush(a.node_id) == 1
    found = search_items(a, member(a, "reader"), "igoumenitsa")
    assert [s.envelope.id for s in found.items] == [shared]
    assert search_items(a, member(a, "reader2"), "ferry", Filters(origin=b.node_id)).items != []
