"""The feed engine: paging, filters, the scan bound, policy (skipped, headers) and its audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, select

from csnet import access
from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.federation import group_ops
from csnet.feed import engine
from csnet.feed.engine import FeedPage, read_page
from csnet.feed.filters import FeedFilters
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish, publish_many
from csnet.store.tables import audit_log
from tests.factories import FakeClock, add_member, alert_body

PERSONAL = Markings(subjects=(DataSubjectCategory.SUSPECT,))
NAMED = [{"name": "Tariq A.", "category": "suspect"}]


def alert(node: Node, who: Member, markings: Markings | None = None, **body: Any) -> str:
    new = NewItem("alert", alert_body(**body), markings=markings or Markings())
    return publish(node, Caller(who), new).id


def titles(found: FeedPage) -> list[str]:
    return [s.item.envelope.body.get("title", s.item.envelope.kind) for s in found.entries]


def test_pages_newest_first_across_kinds(node: Node, officer: Member, clock: FakeClock) -> None:
    ids = []
    for i in range(5):
        ids.append(alert(node, officer, title=f"A{i}"))
        clock.advance(seconds=1)
    publish(node, Caller(officer), NewItem("reply", {"text": "ok"}, replies_to=ids[0]))
    caller = Caller(officer)
    first = read_page(node, caller, limit=3)
    assert titles(first) == ["reply", "A4", "A3"] and first.next_before is not None
    rest = read_page(node, caller, before=first.next_before, limit=3)
    assert titles(rest) == ["A2", "A1", "A0"]
    assert read_page(node, caller, before=rest.next_before, limit=3).entries == []
    assert titles(read_page(node, caller, kinds=("reply",))) == ["reply"]


def test_filters_match_facts_case_insensitively(node: Node, officer: Member) -> None:
    alert(node, officer, title="boat", tags=["Boat"], route="Central Mediterranean")
    alert(node, officer, title="truck", tags=["truck"], route="Western Balkan", urgency="ROUTINE")
    caller = Caller(officer)

    def found(**wanted: str) -> list[str]:
        return titles(read_page(node, caller, FeedFilters(**wanted)))

    assert found(tag="BOAT") == ["boat"] and found(tag="boa") == []
    assert found(route="western balkan") == ["truck"] and found(urgency="ROUTINE") == ["truck"]
    assert found(origin=node.node_id, urgency="FLASH", tag="boat") == ["boat"]
    assert found(origin="elsewhere") == [] and FeedFilters(origin="x").query() == {"origin": "x"}


def test_scan_bound_returns_where_it_stopped(node: Node, officer: Member, clock: FakeClock) -> None:
    alert(node, officer, title="match")
    clock.advance(seconds=1)
    secret = Markings(tlp=TLP.RED)
    news = [
        NewItem("alert", alert_body(title=f"F{i}"), markings=secret, audience_members=(officer.id,))
        for i in range(4)
    ]
    publish_many(node, Caller(officer), news)
    other = Caller(add_member(node, "other", Role.OFFICER)[0])
    first = read_page(node, other, max_scan=3)
    assert first.entries == [] and first.bounded and first.next_before is not None
    second = read_page(node, other, before=first.next_before, max_scan=3)
    assert titles(second) == ["match"] and not second.bounded and second.next_before is None


def consultations(node: Node) -> list[tuple[str | None, str]]:
    query = select(audit_log.c.item_id, audit_log.c.details).where(
        audit_log.c.action == "consultation"
    )
    with node.store.read() as conn:
        return [(i, d) for i, d in conn.execute(query)]


def test_personal_data_is_a_header_without_justification_and_audited_with_one(
    node: Node, officer: Member, clock: FakeClock
) -> None:
    named = alert(node, officer, PERSONAL, title="named", persons=NAMED)
    clock.advance(seconds=1)
    plain = alert(node, officer, title="plain")
    analyst = add_member(node, "analyst", Role.ANALYST)[0]
    header = read_page(node, Caller(analyst), via="feed")
    assert [(s.item.envelope.id, s.restricted) for s in header.entries] == [
        (plain, False),
        (named, True),
    ]
    assert consultations(node) == []
    assert (
        read_page(node, Caller(analyst), FeedFilters(tag="sar")).entries[0].item.envelope.id
        == plain
    )
    justified = read_page(node, Caller(analyst, "case 12/2026"), via="feed")
    assert [s.restricted for s in justified.entries] == [False, False]
    assert consultations(node) == [(named, '{"kind":"alert","subjects":["suspect"],"via":"feed"}')]


def test_one_groups_query_per_page(
    node: Node, officer: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_many(node, Caller(officer), [NewItem("alert", alert_body()) for _ in range(30)])
    calls: list[str] = []
    counted = access.groups_of

    def groups_of(conn: Connection, node_id: str) -> frozenset[str]:
        calls.append(node_id)
        return counted(conn, node_id)

    monkeypatch.setattr(access, "groups_of", groups_of)
    page = read_page(node, Caller(officer), limit=20)
    assert len(page.entries) == 20 and calls == [node.node_id]
    assert engine.MAX_SCAN >= 20


def test_group_filter_reads_bounded_windows_and_pages_on(
    node: Node, officer: Member, clock: FakeClock
) -> None:
    group = group_ops.create(node, "Aegean", "admin:test").id
    for i in range(6):
        shared = (group,) if i % 3 == 0 else ()
        new = NewItem("alert", alert_body(title=f"A{i}"), audience_groups=shared)
        publish(node, Caller(officer), new)
        clock.advance(seconds=1)
    caller, wanted = Caller(officer), FeedFilters(group=group)
    first = read_page(node, caller, wanted, limit=1)
    assert titles(first) == ["A3"]
    second = read_page(node, caller, wanted, before=first.next_before, limit=1)
    assert titles(second) == ["A0"]
    bounded = read_page(node, caller, wanted, limit=5, max_scan=2)
    assert titles(bounded) == [] and bounded.bounded
    rest = read_page(node, caller, wanted, before=bounded.next_before, limit=5)
    assert titles(rest) == ["A3", "A0"] and rest.next_before is None
