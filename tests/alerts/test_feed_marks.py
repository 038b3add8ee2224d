"""Read marks: unread counts and the unread FLASH alerts, through the feed engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.alerts.feed_marks import mark_read, unread
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import Markings
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.publishing import NewItem, publish
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


def test_restricted_flash_is_counted_but_not_shown(
    node: Node, officer: Member, clock: FakeClock
) -> None:
    analyst = add_member(node, "analyst", Role.ANALYST)[0]
    named = alert_body(title="named", persons=[{"name": "Tariq A.", "category": "suspect"}])
    marked = Markings(subjects=(DataSubjectCategory.SUSPECT,))
    publish(node, Caller(officer), NewItem("alert", named, markings=marked))
    state = unread(node, analyst)
    assert state.count == 1 and state.flash == []
