"""H2 consents: the originator's permission to pass one of its items on (Europol handling H2).

A consent is a signed item of kind "consent" from the item's origin node. Its body names the
item, the nodes and sharing groups that may receive it onward, an optional expiry and a purpose.
Each consent states the whole permission for its item, so a node keeps, per (item, signer), the
one with the highest seq; a later consent with empty lists withdraws it (so does a tombstone of
the current one). A consent only ever applies to an item whose origin signed it: one about an
item we hold from another origin is refused by the link rule (csnet/items/links.py, not_origin),
and one about an item we do not hold could never match it. This module is this node's view
(table `consents`); issuing is in consent_ops.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, select

from csnet.handling.markings import HandlingCode
from csnet.handling.policy import RelayConsent
from csnet.items.envelope import Envelope
from csnet.items.fields import format_utc
from csnet.store import item_store
from csnet.store.engine import Store
from csnet.store.tables import consents, outbox

CONSENT_KIND = "consent"
TOMBSTONE_KIND = "tombstone"


def _utc(value: datetime | None) -> datetime | None:
    # why: SQLite hands back naive datetimes; every time in csnet is UTC
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Grant:
    """The current consent of `origin` for `item_id` (empty sets: withdrawn)."""

    item_id: str
    origin: str
    consent_id: str
    seq: int
    nodes: frozenset[str]
    groups: frozenset[str]
    expires: datetime | None
    purpose: str

    def state(self, now: datetime) -> str:
        if not (self.nodes or self.groups):
            return "withdrawn"
        return "expired" if self.expires is not None and now >= self.expires else "active"

    def scope(self, now: datetime) -> RelayConsent | None:
        """What policy sees: nothing once withdrawn or expired."""
        if self.state(now) != "active":
            return None
        return RelayConsent(self.nodes, self.groups)

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "origin": self.origin,
            "consent": self.consent_id,
            "seq": self.seq,
            "relay_to_nodes": sorted(self.nodes),
            "relay_to_groups": sorted(self.groups),
            "expires": None if self.expires is None else format_utc(self.expires),
            "purpose": self.purpose,
            "state": self.state(now),
        }


def grant_of(env: Envelope) -> Grant:
    """The grant a (validated) consent item states."""
    body = env.body
    expires = body.get("expires")
    return Grant(
        item_id=body["item"],
        origin=env.origin,
        consent_id=env.id,
        seq=env.seq,
        nodes=frozenset(body.get("relay_to_nodes", ())),
        groups=frozenset(body.get("relay_to_groups", ())),
        expires=None if expires is None else datetime.fromisoformat(expires),
        purpose=body["purpose"],
    )


def _withdrawn(current: Grant, tomb: Envelope) -> Grant:
    reason = tomb.body.get("reason") if isinstance(tomb.body, dict) else None
    return Grant(
        current.item_id,
        current.origin,
        tomb.id,
        tomb.seq,
        frozenset(),
        frozenset(),
        None,
        f"consent erased: {reason or 'no reason given'}",
    )


def _from_row(row: Any) -> Grant:
    return Grant(
        item_id=row["item_id"],
        origin=row["origin"],
        consent_id=row["consent_id"],
        seq=int(row["seq"]),
        nodes=frozenset(row["nodes"]),
        groups=frozenset(row["groups"]),
        expires=_utc(row["expires"]),
        purpose=row["purpose"],
    )


class View:
    """Consents as this node knows them: looked up per item on first use (then cached), and
    updated in memory while a batch is judged, as groups.Membership is.

    `source` is the caller's connection (inside its transaction) or the store, for callers that
    judge outside a transaction (each lookup then reads on its own).
    """

    def __init__(self, source: Connection | Store) -> None:
        self._source = source
        self._grants: dict[tuple[str, str], Grant | None] = {}

    def _rows(self, query: Select[Any]) -> list[Any]:
        if isinstance(self._source, Connection):
            return list(self._source.execute(query).mappings())
        with self._source.read() as conn:
            return list(conn.execute(query).mappings())

    def grant(self, item_id: str, origin: str) -> Grant | None:
        key = (item_id, origin)
        if key not in self._grants:
            query = select(consents).where(
                consents.c.item_id == item_id, consents.c.origin == origin
            )
            rows = self._rows(query)
            self._grants[key] = _from_row(rows[0]) if rows else None
        return self._grants[key]

    def scope(self, env: Envelope, now: datetime) -> RelayConsent | None:
        """The consent to pass `env` on; only H2 items need one, so others cost no lookup."""
        if env.markings.handling.code is not HandlingCode.H2:
            return None
        grant = self.grant(env.id, env.origin)
        return None if grant is None else grant.scope(now)

    def newer(self, env: Envelope) -> Grant | None:
        """The grant a checked consent (or a tombstone of the current one) sets, if newer."""
        if env.kind == CONSENT_KIND:
            candidate: Grant | None = grant_of(env)
        elif env.kind == TOMBSTONE_KIND and env.refers_to:
            candidate = self._erased(env)
        else:
            return None
        if candidate is None:
            return None
        held = self.grant(candidate.item_id, candidate.origin)
        return candidate if held is None or candidate.seq > held.seq else None

    def _erased(self, tomb: Envelope) -> Grant | None:
        erased = (tomb.refers_to, tomb.origin)
        for grant in self._grants.values():
            if grant is not None and (grant.consent_id, grant.origin) == erased:
                return _withdrawn(grant, tomb)
        query = select(consents).where(
            consents.c.consent_id == tomb.refers_to, consents.c.origin == tomb.origin
        )
        rows = self._rows(query)
        return _withdrawn(_from_row(rows[0]), tomb) if rows else None

    def apply(self, env: Envelope) -> Grant | None:
        grant = self.newer(env)
        if grant is not None:
            self._grants[(grant.item_id, grant.origin)] = grant
        return grant


def apply_items(
    conn: Connection, self_id: str, envelopes: Iterable[Envelope], now: datetime
) -> list[Envelope]:
    """Record the consents these (already checked and stored) items set; older ones change
    nothing. Returns the held items of other origins whose consent changed, for the caller to
    reconsider who may receive them."""
    relevant = [e for e in envelopes if e.kind in (CONSENT_KIND, TOMBSTONE_KIND)]
    if not relevant:
        return []
    view = View(conn)
    changed: dict[tuple[str, str], Grant] = {}
    for env in sorted(relevant, key=lambda e: (e.origin, e.seq)):
        grant = view.apply(env)
        if grant is not None:
            changed[(grant.item_id, grant.origin)] = grant
    for grant in changed.values():
        _store(conn, grant, now)
    return _held(conn, self_id, changed.values())


def _store(conn: Connection, grant: Grant, now: datetime) -> None:
    key = (consents.c.item_id == grant.item_id) & (consents.c.origin == grant.origin)
    conn.execute(delete(consents).where(key))
    conn.execute(
        consents.insert().values(
            item_id=grant.item_id,
            origin=grant.origin,
            consent_id=grant.consent_id,
            seq=grant.seq,
            nodes=sorted(grant.nodes),
            groups=sorted(grant.groups),
            expires=grant.expires,
            purpose=grant.purpose,
            updated=now,
        )
    )


def _held(conn: Connection, self_id: str, grants: Iterable[Grant]) -> list[Envelope]:
    # why: our own items need no consent; another origin's consent never applies to an item
    found = []
    for grant in grants:
        held = item_store.get_item(conn, grant.item_id)
        if held is not None and held.envelope.origin == grant.origin != self_id:
            found.append(held.envelope)
    return found


def drop_unconsented(
    conn: Connection, reconsidered: Sequence[Envelope], keep: Collection[tuple[str, str]]
) -> None:
    """A narrowed or withdrawn consent also stops relays queued but not yet sent: drop queued
    rows of these items for peers not in `keep` ((peer, item id) pairs still allowed)."""
    ids = {env.id for env in reconsidered}
    if not ids:
        return
    queued = conn.execute(select(outbox.c.peer, outbox.c.item_id).where(outbox.c.item_id.in_(ids)))
    for peer, item_id in [tuple(row) for row in queued if tuple(row) not in keep]:
        conn.execute(delete(outbox).where(outbox.c.peer == peer, outbox.c.item_id == item_id))


def load_all(conn: Connection) -> list[Grant]:
    query = select(consents).order_by(consents.c.origin, consents.c.seq)
    return [_from_row(row) for row in conn.execute(query).mappings()]
