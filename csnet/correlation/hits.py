"""Hits as a member sees them: live (from a bus event) and listed (from the sightings).

A hit is never stored as a pair: it is two sightings of one value. Each one shown says why
(which value, which items, since when), and goes through the rule in rule.py for this member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, or_, select, tuple_

from csnet.access import Caller, actor_of
from csnet.accounts.members import Member
from csnet.bus import Event
from csnet.correlation.rule import HitPurpose, Verdict, judge
from csnet.errors import CsnetError
from csnet.handling.actors import MemberActor
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.policy import Context, ItemFacts
from csnet.indicators import registry
from csnet.items.envelope import Envelope
from csnet.items.facts import item_facts
from csnet.items.item_indicators import is_protected
from csnet.node import Node
from csnet.reading import audit_consultation
from csnet.store import item_store
from csnet.store.item_store import StoredItem
from csnet.store.tables import indicator_values, sightings


@dataclass(frozen=True)
class ValueRow:
    id: int
    type: str
    value: str
    first_seen: datetime
    items: int
    noisy: bool


@dataclass(frozen=True)
class HitView:
    """One hit for one member: `item_id` is the newer item, `other_id` the one that held the
    value before it. `display` is None when restricted (personal data, no justification)."""

    value_type: str
    display: str | None
    item_id: str
    origin: str
    other_id: str
    other_origin: str
    first_seen: datetime
    created: datetime  # when the newer item was created: the hit's time
    purpose: HitPurpose
    restricted: bool
    reason: str


def facts_of(env: Envelope) -> ItemFacts:
    """The policy's view, with the categories of the persons in the body as well (why: the
    protected flag of a sighting and the policy must never disagree)."""
    facts = item_facts(env)
    persons = env.body.get("persons") or ()
    named = {
        DataSubjectCategory(str(p["category"]))
        for p in persons
        if isinstance(p, Mapping) and p.get("category") in set(DataSubjectCategory)
    }
    return replace(facts, subjects=facts.subjects | frozenset(named))


def _label(value_type: str) -> str:
    try:
        return registry.get(value_type).label
    except CsnetError:  # why: a type only a newer node knows is still named
        return value_type


def _display(value: ValueRow) -> str:
    try:
        return registry.get(value.type).format(value.value)
    except (CsnetError, ValueError):  # why: shown as stored rather than not at all
        return value.value


def _reason(value: ValueRow, this: Envelope, other: Envelope, verdict: Verdict) -> str:
    label = _label(value.type)
    what = f"a {label.lower()}" if verdict.restricted else f"{label} {_display(value)}"
    since = value.first_seen.strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"{what} is in item {this.id[:12]} ({this.kind} from {this.origin[:12]}) and in item "
        f"{other.id[:12]} ({other.kind} from {other.origin[:12]}); first seen {since}"
    )
    if verdict.purpose == "protection":
        text = f"protection hit, not a suspect hit: a protected person's data; {text}"
    if verdict.restricted:
        text += "; personal data: give a justification to see the value"
    return text


def view(
    actor: MemberActor, ctx: Context, value: ValueRow, this: StoredItem, other: StoredItem
) -> HitView | None:
    """The hit as this actor may see it, or None."""
    a, b = this.envelope, other.envelope
    if value.noisy or this.tombstoned or other.tombstoned:
        return None
    verdict = judge(actor, facts_of(a), facts_of(b), ctx)
    if verdict is None:
        return None
    return HitView(
        value_type=value.type,
        display=None if verdict.restricted else _display(value),
        item_id=a.id,
        origin=a.origin,
        other_id=b.id,
        other_origin=b.origin,
        first_seen=value.first_seen,
        created=a.created,
        purpose=verdict.purpose,
        restricted=verdict.restricted,
        reason=_reason(value, a, b, verdict),
    )


def value_row(conn: Connection, value_id: int) -> ValueRow | None:
    v = indicator_values
    query = select(v.c.id, v.c.type, v.c.value, v.c.first_seen, v.c["items"], v.c.noisy)
    row = conn.execute(query.where(v.c.id == value_id)).first()
    return None if row is None else ValueRow(*row)


def live_view(
    node: Node, member: Member, event: Event, actor: MemberActor | None = None
) -> HitView | None:
    """A "hit" bus event as this member may see it. No justification on a stream: a hit that
    touches personal data goes out without its value (opening it is the audited consultation).
    `actor`: the member as a stream built it once, so an event reads no groups."""
    if event.other_id is None or event.value_id is None:
        return None
    with node.store.read() as conn:
        value = value_row(conn, event.value_id)
        this = item_store.get_item(conn, event.item_id)
        other = item_store.get_item(conn, event.other_id)
    if value is None or this is None or other is None:
        return None  # erased since
    ctx = Context(today=node.now().date())
    return view(actor or actor_of(node, member), ctx, value, this, other)


@dataclass(frozen=True)
class HitPage:
    hits: list[HitView]
    next_before: list[Any] | None = field(default=None)  # keyset of the last row read


_NEW, _OLD = sightings.alias("new"), sightings.alias("old")
_PAIR_KEY = (_NEW.c.created, _NEW.c.item_id, _OLD.c.created, _OLD.c.item_id, _NEW.c.value_id)


def _pair_query() -> Select[Any]:
    """(newer created, newer item, older created, older item, value id) rows, newest first: a
    self-join of the sightings, bounded per value by the noisy cap."""
    return (
        select(*_PAIR_KEY)
        .join(_OLD, and_(_OLD.c.value_id == _NEW.c.value_id, _OLD.c.item_id != _NEW.c.item_id))
        .where(tuple_(_OLD.c.created, _OLD.c.item_id) < tuple_(_NEW.c.created, _NEW.c.item_id))
        .order_by(*(column.desc() for column in _PAIR_KEY))
    )


def _pairs(conn: Connection, before: Sequence[Any] | None, limit: int) -> list[Any]:
    query = _pair_query().limit(limit)
    if before is not None:
        query = query.where(tuple_(*_PAIR_KEY) < tuple_(*before))
    return list(conn.execute(query))


def _linked(this: Envelope, other: StoredItem) -> bool:
    """A reply or acknowledgement and its item, or two versions of one item: not a hit."""
    return other.envelope.id in {this.replies_to, this.refers_to, this.supersedes}


class _Reader:
    """Items and values read once per page."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.items: dict[str, StoredItem | None] = {}
        self.values: dict[int, ValueRow | None] = {}

    def item(self, item_id: str) -> StoredItem | None:
        if item_id not in self.items:
            self.items[item_id] = item_store.get_item(self.conn, item_id)
        return self.items[item_id]

    def value(self, value_id: int) -> ValueRow | None:
        if value_id not in self.values:
            self.values[value_id] = value_row(self.conn, value_id)
        return self.values[value_id]


def _current(held: StoredItem | None) -> StoredItem | None:
    return held if held is not None and held.superseded_by is None else None


def list_hits(
    node: Node, caller: Caller, *, limit: int = 50, before: Sequence[Any] | None = None
) -> HitPage:
    """The newest hits the caller may see; a consultation of personal data is audited."""
    actor = actor_of(node, caller.member)
    ctx = Context(justification=caller.justification, today=node.now().date())
    found: list[HitView] = []
    cursor = list(before) if before is not None else None
    with node.store.read() as conn:
        reader = _Reader(conn)
        while len(found) < limit:
            rows = _pairs(conn, cursor, limit * 2)
            for row in rows:
                cursor = list(row)
                _created, new_id, _old_created, old_id, value_id = row
                seen = _one(reader, actor, ctx, value_id, new_id, old_id)
                if seen is not None:
                    found.append(seen)
                if len(found) == limit:
                    break
            if len(rows) < limit * 2:
                break
        personal = _personal(reader, found)
    audit_consultation(node, caller, personal, via="hits")
    return HitPage(found, cursor if len(found) == limit else None)


def _one(
    reader: _Reader, actor: MemberActor, ctx: Context, value_id: int, new_id: str, old_id: str
) -> HitView | None:
    value = reader.value(value_id)
    this, other = _current(reader.item(new_id)), _current(reader.item(old_id))
    if value is None or this is None or other is None or _linked(this.envelope, other):
        return None
    return view(actor, ctx, value, this, other)


def _personal(reader: _Reader, hits: Sequence[HitView]) -> list[Envelope]:
    """The items with personal data whose hit was shown in full: consulted (LED Art 25)."""
    shown = {i for h in hits if not h.restricted for i in (h.item_id, h.other_id)}
    envs = [held.envelope for i in sorted(shown) if (held := reader.items.get(i)) is not None]
    return [e for e in envs if e.markings.subjects or is_protected(e)]


@dataclass(frozen=True)
class HitsShown:
    hits: list[HitView]
    personal: list[Envelope]  # items with personal data whose hit is shown in full: to audit


def hits_with(
    node: Node, caller: Caller, *, value_id: int | None = None, item_id: str | None = None
) -> HitsShown:
    """Every hit of one value, or of one item, that the caller may see, newest first; the
    caller audits `personal` together with whatever else it shows."""
    query = _pair_query()
    if value_id is not None:
        query = query.where(_NEW.c.value_id == value_id)
    if item_id is not None:
        query = query.where(or_(_NEW.c.item_id == item_id, _OLD.c.item_id == item_id))
    actor = actor_of(node, caller.member)
    ctx = Context(justification=caller.justification, today=node.now().date())
    with node.store.read() as conn:
        reader = _Reader(conn)
        rows = list(conn.execute(query))
        seen = [_one(reader, actor, ctx, value, new, old) for _, new, _, old, value in rows]
    hits = [hit for hit in seen if hit is not None]
    return HitsShown(hits, _personal(reader, hits))
