"""Feed scans (filters, keyset paging, the scan bound) and read marks (unread counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.alerts import feed_query
from csnet.alerts.feed_marks import mark_read, unread
from csnet.alerts.feed_query import FeedFilters, scan
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish, publish_many
from tests.databases import Databases
from tests.factories import FakeClock, add_member, alert_body, make_node


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def node(tmp_path: Path, databases: Databases, bus_url: str, clock: FakeClock) -> Any:
    made = make_node(tmp_path / "node", databases, bus_url=bus_url, clock=clock)
    yield made
    made.close()


@pytest.fixture
def officer(node: Node) -> Member:
    return add_member(node, "officer", Role.OFFICER)[0]


def alert(node: Node, who: Member, **body: Any) -> str:
    return publish(node, Caller(who), NewItem("alert", alert_body(**body))).id


def titles(found: feed_query.FeedScan) -> list[str]:
    return [s.item.envelope.body.get("title", s.item.envelope.kind) for s in found.entries]


def test_body_filters_match_case_insensitively_and_exactly() -> None:
    body = {"urgency": "FLASH", "tags": ["Boat"], "route": "Central Mediterranean"}
    assert feed_query._body_matches(FeedFilters(tag="boat", route="central mediterranean"), body)
    assert not feed_query._body_matches(FeedFilters(tag="boa"), body)
    assert not feed_query._body_matches(FeedFilters(urgency="ROUTINE"), body)
    assert FeedFilters(tag="boat").may_match(b'{"tags":["Boat"]}')
    assert not FeedFilters(tag="boat").may_match(b'{"tags":["boats"]}')
    assert FeedFilters(origin="x").query() == {"origin": "x"} and not FeedFilters().active


def test_scan_pages_newest_first_across_kinds(
    node: Node, officer: Member, clock: FakeClock
) -> None:
    ids = []
    for i in range(5):
        ids.append(alert(node, officer, title=f"A{i}"))
        clock.advance(seconds=1)
    publish(node, Caller(officer), NewItem("reply", {"text": "ok"}, replies_to=ids[0]))
    first = scan(node, officer, FeedFilters(), limit=3)
    assert titles(first) == ["reply", "A4", "A3"] and first.next_before is not None
    rest = scan(node, officer, FeedFilters(), before=first.next_before, limit=3)
    assert titles(rest) == ["A2", "A1", "A0"]
    assert scan(node, officer, FeedFilters(), before=rest.next_before, limit=3).entries == []


def test_scan_bound_returns_where_it_stopped(node: Node, officer: Member, clock: FakeClock) -> None:
    alert(node, officer, title="match", tags=["rare"])
    clock.advance(seconds=1)
    publish_many(
        node, Caller(officer), [NewItem("alert", alert_body(title=f"F{i}")) for i in range(4)]
    )
    wanted = FeedFilters(tag="rare")
    first = scan(node, officer, wanted, max_scan=3)
    assert first.entries == [] and first.bounded and first.next_before is not None
    second = scan(node, officer, wanted, before=first.next_before, max_scan=3)
    assert titles(second) == ["match"] and not second.bounded and second.next_before is None


def test_unread_counts_since_the_mark(node: Node, officer: Member, clock: FakeClock) -> None:
    alert(node, officer, title="old", urgency="FLASH")
    clock.advance(hours=25)
    alert(node, officer, title="fresh", urgency="FLASH")
    alert(node, officer, title="calm", urgency="ROUTINE")
    state = unread(node, officer)  # no mark yet: the last day
    assert state.count == 2 and [s.item.envelope.body["title"] for s in state.flash] == ["fresh"]
    clock.advance(seconds=1)
    mark_read(node, officer.id)
    assert unread(node, officer).count == 0 and unread(node, officer).flash == []
    clock.advance(seconds=1)
    alert(node, officer, title="newer", urgency="ROUTINE")
    assert unread(node, officer).count == 1
