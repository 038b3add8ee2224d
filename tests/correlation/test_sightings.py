"""Sightings: one row per value per item, the noisy cap, hits on publish, protection, erasure."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.access import Caller
from csnet.alerts import actions
from csnet.correlation import sightings
from csnet.correlation.hits import list_hits
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.items import item_indicators
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish, publish_many
from csnet.store.tables import indicator_values
from csnet.store.tables import sightings as sightings_table
from tests.factories import add_member, alert_body

NUMBER = "+92 300 1234567"
E164 = "+923001234567"
VICTIM = DataSubjectCategory.VICTIM


@pytest.fixture
def officer(node: Node) -> Caller:
    member, _ = add_member(node, "officer", Role.OFFICER)
    return Caller(member)


def alert(node: Node, caller: Caller, text: str, **marks: Any) -> Envelope:
    body = alert_body(text=text, persons=marks.pop("persons", []))
    return publish(node, caller, NewItem("alert", body, Markings(tlp=TLP.AMBER, **marks)))


def rows(node: Node) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    v, s = indicator_values, sightings_table
    with node.store.read() as conn:
        values = [
            tuple(r) for r in conn.execute(select(v.c.type, v.c.value, v.c["items"], v.c.noisy))
        ]
        seen = [tuple(r) for r in conn.execute(select(s.c.value_id, s.c.item_id, s.c.protected))]
    return values, seen


def test_one_sighting_per_value_per_item(node: Node, officer: Caller) -> None:
    # the same number three ways (international, national with the node's country, Arabic-Indic)
    env = alert(node, officer, f"Call {NUMBER} or 0300-1234567 or +٩٢ ٣٠٠ ١٢٣٤٥٦٧ now")
    values, seen = rows(node)
    assert values == [("phone", E164, 1, False)]
    assert [item for _, item, _ in seen] == [env.id]


def test_indicators_of_reads_title_text_and_persons_notes(node: Node, officer: Caller) -> None:
    person = {
        "name": "A. B.",
        "category": "suspect",
        "note": "wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    }
    body = alert_body(title=f"Boat {NUMBER}", persons=[person])
    env = publish(
        node,
        officer,
        NewItem("alert", body, Markings(subjects=(DataSubjectCategory.SUSPECT,))),
    )
    assert {(i.type, i.value) for i in item_indicators.indicators_of(env)} >= {("phone", E164)}
    assert {i.type for i in item_indicators.indicators_of(env)} == {"phone", "wallet"}


def test_noisy_value_stops_growing_at_the_cap(node: Node, officer: Caller) -> None:
    node.settings = node.settings.replace(correlation_noisy_after=3)
    news = [NewItem("alert", alert_body(text=f"hotline {NUMBER} #{i}")) for i in range(6)]
    publish_many(node, officer, news)
    values, seen = rows(node)
    assert values == [("phone", E164, 6, True)]
    assert len(seen) == 3  # the store grows with values, not with items past the cap
    later = publish_many(node, officer, [NewItem("alert", alert_body(text=NUMBER))])
    assert rows(node)[0] == [("phone", E164, 7, True)] and len(rows(node)[1]) == 3
    with node.store.write() as conn:  # a noisy value makes no hits
        assert sightings.record(conn, later, node.now(), cap=3) == []


def test_publishing_a_shared_value_makes_an_explained_hit(node: Node, officer: Caller) -> None:
    first = alert(node, officer, f"Smuggler's phone {NUMBER}")
    second = alert(node, officer, "Same number 0300 1234567 seen at Gwadar")
    (hit,) = list_hits(node, officer).hits
    assert (hit.item_id, hit.other_id, hit.purpose, hit.restricted) == (
        second.id,
        first.id,
        "suspect",
        False,
    )
    assert hit.display == "+92 300 1234567" and hit.value_type == "phone"
    assert first.id[:12] in hit.reason and second.id[:12] in hit.reason
    assert "first seen" in hit.reason


def test_a_reply_repeating_its_alerts_number_is_no_hit(node: Node, officer: Caller) -> None:
    first = alert(node, officer, f"Smuggler's phone {NUMBER}")
    actions.reply(node, officer, first.id, f"Checked {NUMBER}")
    assert list_hits(node, officer).hits == []


def test_a_victims_number_never_shows_as_a_suspect_hit(node: Node, officer: Caller) -> None:
    victim = {"name": "R. K.", "category": "victim"}
    protected = alert(
        node, officer, f"Victim reachable on {NUMBER}", subjects=(VICTIM,), persons=[victim]
    )
    alert(node, officer, f"Facilitator uses {NUMBER}")
    _, seen = rows(node)
    assert {item: flag for _, item, flag in seen}[protected.id] is True
    assert list_hits(node, Caller(officer.member, "case 2026/114")).hits == []
    guard, _ = add_member(node, "guard", Role.PROTECTION_OFFICER)
    (hit,) = list_hits(node, Caller(guard, "victim support 2026/7")).hits
    assert hit.purpose == "protection" and "not a suspect hit" in hit.reason


def test_erasure_removes_sightings_and_orphaned_values(node: Node, officer: Caller) -> None:
    first = alert(node, officer, f"phone {NUMBER}")
    second = alert(node, officer, f"again {NUMBER}, and IBAN GR16 0110 1250 0000 0001 2300 695")
    actions.erase(node, officer, second.id, "entered in error", "LED Art 16")
    values, seen = rows(node)
    assert values == [("phone", E164, 1, False)]  # the IBAN only the erased item held is gone
    assert [item for _, item, _ in seen] == [first.id]
    assert list_hits(node, officer).hits == []
    with node.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(sightings_table)).scalar() == 1
