"""Differential: the engine's pages are the pages of a plain reference (every item listed, policy
and filters applied in Python, sorted, sliced), for generated items, corrections, erasures,
readers and filters."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from csnet.access import Caller
from csnet.accounts.members import Member
from csnet.alerts import actions
from csnet.errors import CsnetError
from csnet.federation import group_ops
from csnet.feed.engine import Reader, Seen, read_page
from csnet.feed.facts import FEED_KINDS
from csnet.feed.filters import FeedFilters
from csnet.feed.projection import project
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Markings
from csnet.handling.roles import Role
from csnet.items.envelope import Audience, Envelope, ItemDraft
from csnet.items.keys import NodeKey
from csnet.items.signing import seal
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.store import item_store
from csnet.store.item_store import StoredItem
from csnet.store.tables import items
from tests.conftest import examples
from tests.factories import FakeClock, add_member, alert_body

FOREIGN = NodeKey.from_seed(bytes(range(7, 39)))
ELSEWHERE = NodeKey.from_seed(bytes(range(9, 41))).node_id
SEQS = count(1)
TAGS = ("boat", "Boat", "SAR", "truck")
ROUTES = (None, "Central Mediterranean", "central mediterranean", "Western Balkan")


@dataclass(frozen=True)
class Spec:
    kind: str
    author: int  # 0, 1: local officers; 2: the foreign node
    urgency: str
    tags: tuple[str, ...]
    route: str | None
    privacy: str  # plain | personal | red (local) or addressed elsewhere (foreign)
    later: int  # seconds after the previous item (0: the same time)
    grouped: bool = False  # addressed to the node's sharing group too


specs = st.builds(
    Spec,
    kind=st.sampled_from(["alert", "alert", "note", "reply"]),
    author=st.integers(0, 2),
    urgency=st.sampled_from(["FLASH", "ROUTINE"]),
    tags=st.lists(st.sampled_from(TAGS), max_size=3).map(tuple),
    route=st.sampled_from(ROUTES),
    privacy=st.sampled_from(["plain", "plain", "personal", "red"]),
    later=st.integers(0, 2),
    grouped=st.booleans(),
)
changes = st.lists(st.tuples(st.sampled_from(["correct", "erase"]), st.integers(0, 20)), max_size=3)
filters = st.builds(
    FeedFilters,
    urgency=st.sampled_from(["", "FLASH", "ROUTINE"]),
    tag=st.sampled_from(["", "boat", "sar", "TRUCK"]),
    route=st.sampled_from(["", "central MEDITERRANEAN", "Western Balkan"]),
    origin=st.sampled_from(["", "local", FOREIGN.node_id]),
    group=st.sampled_from(["", "", "mine"]),
)


def _body(spec: Spec, parent: str | None) -> dict[str, Any]:
    named = {"persons": [{"name": "Tariq A.", "category": "suspect"}]}
    extra = named if spec.privacy == "personal" else {}
    if spec.kind == "reply" and parent is not None:
        return {"text": "seen"}
    if spec.kind == "note":
        return {"title": "n", "text": "t", "topic": "routes", "tags": list(spec.tags), **extra}
    route = {} if spec.route is None else {"route": spec.route}
    return alert_body(urgency=spec.urgency, tags=list(spec.tags), **route, **extra)


def _local(node: Node, who: Member, spec: Spec, parent: str | None, group: str) -> Envelope:
    body = _body(spec, parent)
    kind = (
        "reply" if "text" in body and len(body) == 1 else ("note" if "topic" in body else "alert")
    )
    subjects = (DataSubjectCategory.SUSPECT,) if spec.privacy == "personal" else ()
    red = spec.privacy == "red"
    markings = Markings(tlp=TLP.RED if red else TLP.AMBER, subjects=subjects)
    new = NewItem(
        kind,
        body,
        markings=markings,
        audience_members=(who.id,) if red else (),
        audience_groups=(group,) if spec.grouped else (),
        replies_to=parent if kind == "reply" else None,
    )
    return publish(node, Caller(who), new)


def _foreign(node: Node, spec: Spec) -> Envelope:
    elsewhere = spec.privacy == "red"
    draft = ItemDraft(
        kind="alert",
        author="m_remote",
        audience=Audience(nodes=(ELSEWHERE,) if elsewhere else (node.node_id,)),
        markings=Markings(tlp=TLP.AMBER),
        body=_body(Spec("alert", 2, spec.urgency, spec.tags, spec.route, "plain", 0), None),
    )
    env = seal(draft, FOREIGN, origin=FOREIGN.node_id, seq=next(SEQS), created=node.now())
    with node.store.write() as conn:
        project(conn, item_store.insert_items(conn, [(env, env.to_bytes())], node.now()))
    return env


def _parent(stored: list[Envelope], author: Member) -> str | None:
    """The item a reply answers: the last one, if its author may reply without a justification."""
    last = stored[-1] if stored else None
    if last is None or last.author != author.id or last.markings.subjects:
        return None
    return last.id


def _change(node: Node, authors: list[Member], made: list[Envelope], change: tuple[str, int]):
    what, index = change
    if not made:
        return
    env = made[index % len(made)]
    mine = [m for m in authors if m.id == env.author]
    if not mine:
        return
    caller = Caller(mine[0])
    try:
        if what == "erase":
            actions.erase(node, caller, env.id, "mistake", None)
        else:
            actions.correct(node, caller, env.id, NewItem(env.kind, dict(env.body)))
    except CsnetError:
        pass  # erased or corrected already: nothing to change


def _admits(wanted: FeedFilters, env: Envelope, restricted: bool) -> bool:
    """The filters as the feed has always defined them, read from the body itself."""
    if wanted.origin and env.origin != wanted.origin:
        return False
    if wanted.group and wanted.group not in env.audience.groups:
        return False
    if not (wanted.urgency or wanted.tag or wanted.route):
        return True
    body = env.body
    folded = [str(t).casefold() for t in body.get("tags") or ()]
    return not restricted and all(
        (
            not wanted.urgency or body.get("urgency") == wanted.urgency,
            not wanted.tag or wanted.tag.casefold() in folded,
            not wanted.route or str(body.get("route") or "").casefold() == wanted.route.casefold(),
        )
    )


def reference(
    node: Node, caller: Caller, wanted: FeedFilters, kinds: tuple[str, ...]
) -> list[Seen]:
    columns = (items.c.envelope, items.c.superseded_by, items.c.tombstoned, items.c.received)
    with node.store.read() as conn:
        rows = list(conn.execute(select(*columns)))
        reader = Reader.of(node, caller, conn)
    found = []
    for raw, superseded_by, tombstoned, received in rows:
        env = Envelope.model_validate_json(bytes(raw))
        if env.kind not in kinds or superseded_by or tombstoned:
            continue
        seen = reader.see(StoredItem(env, bytes(raw), superseded_by, False, received))
        if seen is not None and _admits(wanted, env, seen.restricted):
            found.append(seen)
    return sorted(found, key=lambda s: (s.item.envelope.created, s.item.envelope.id), reverse=True)


def _ids(entries: list[Seen]) -> list[tuple[str, bool]]:
    return [(s.item.envelope.id, s.restricted) for s in entries]


@settings(
    max_examples=examples(40),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=st.lists(specs, max_size=8),
    changed=changes,
    reader=st.integers(0, 2),
    justified=st.booleans(),
    wanted=filters,
    kinds=st.sampled_from([FEED_KINDS, ("alert",), ("note", "reply")]),
    limit=st.integers(1, 4),
)
def test_pages_are_the_reference_pages(
    node: Node,
    clock: FakeClock,
    made: list[Spec],
    changed: list[tuple[str, int]],
    reader: int,
    justified: bool,
    wanted: FeedFilters,
    kinds: tuple[str, ...],
    limit: int,
) -> None:
    members = _members(node)
    stored: list[Envelope] = []
    for spec in made:
        clock.advance(seconds=spec.later)
        parent = _parent(stored, members[spec.author % 2])
        if spec.author == 2:
            stored.append(_foreign(node, spec))
        else:
            stored.append(_local(node, members[spec.author], spec, parent, _group(node)))
    for change in changed:
        _change(node, members[:2], stored, change)
    caller = Caller(members[reader], "case 12/2026" if justified else None)
    as_run = FeedFilters(
        urgency=wanted.urgency,
        tag=wanted.tag,
        route=wanted.route,
        origin=node.node_id if wanted.origin == "local" else wanted.origin,
        group=_group(node) if wanted.group else "",
    )
    expected = reference(node, caller, as_run, kinds)
    before, start = None, 0
    while True:
        page = read_page(
            node, caller, as_run, kinds=kinds, before=before, limit=limit, max_scan=10**6
        )
        assert _ids(page.entries) == _ids(expected[start : start + limit])
        assert not page.bounded
        start += limit
        if page.next_before is None:
            assert len(page.entries) < limit or start == len(expected) + limit - len(page.entries)
            break
        assert len(page.entries) == limit
        last = page.entries[-1].item.envelope
        assert page.next_before == (last.created, last.id)
        before = page.next_before
    assert start >= len(expected)


_MEMBERS: dict[str, list[Member]] = {}
_GROUPS: dict[str, str] = {}


def _group(node: Node) -> str:
    """A sharing group of the node's own, made once per node."""
    if node.node_id not in _GROUPS:
        _GROUPS[node.node_id] = group_ops.create(node, "Aegean", "admin:test").id
    return _GROUPS[node.node_id]


def _members(node: Node) -> list[Member]:
    """Two officers who publish and an analyst, made once per node (examples share the node)."""
    if node.node_id not in _MEMBERS:
        _MEMBERS[node.node_id] = [
            add_member(node, "officer1", Role.OFFICER)[0],
            add_member(node, "officer2", Role.OFFICER)[0],
            add_member(node, "analyst", Role.ANALYST)[0],
        ]
    return _MEMBERS[node.node_id]
