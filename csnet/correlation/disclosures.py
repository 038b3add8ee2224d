"""The state of disclosure requests (table `disclosure_requests`), kept at both ends.

Requests and answers are signed items (kinds `disclosure_request` and `disclosure`, bodies in
csnet/items/disclosure_bodies.py); this module derives the state from them inside the
transaction that stores them, for items this node publishes (csnet/publishing.py) and
for items it receives (federation/inbox.receive), so an item and its state never part.
Opening and answering requests is in disclosure_ops.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from csnet.accounts._util import utc
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import BadInput, Conflict
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.store import tables
from csnet.store.tables import indicator_values, items, sightings

REQUEST_KIND = "disclosure_request"
ANSWER_KIND = "disclosure"
PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
STATUSES = (PENDING, APPROVED, DECLINED)
INCOMING, OUTGOING = "incoming", "outgoing"  # asked of this node / asked by this node
T = tables.disclosure_requests


@dataclass(frozen=True)
class Request:
    """One request as this node knows it."""

    request_id: str
    asker: str
    holder: str
    value_type: str
    value: str
    justification: str
    requested_by: str
    status: str
    requested_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    disclosure_id: str | None

    def direction(self, node_id: str) -> str:
        return INCOMING if self.holder == node_id else OUTGOING


def _request(row: Any) -> Request:
    values = dict(row._mapping)
    values["requested_at"] = utc(values["requested_at"])
    if values["decided_at"] is not None:
        values["decided_at"] = utc(values["decided_at"])
    return Request(**values)


def get(conn: Connection, request_id: str) -> Request | None:
    """The request with this id, or with this unique prefix (people copy the short ids)."""
    query = select(T).where(T.c.request_id.startswith(request_id, autoescape=True)).limit(2)
    rows = conn.execute(query).all()
    return _request(rows[0]) if len(rows) == 1 else None


def page(
    conn: Connection,
    node_id: str,
    *,
    status: str | None,
    direction: str | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[Request]:
    """Newest first, keyset-paged on (requested_at, request_id)."""
    query = select(T)
    if status is not None:
        query = query.where(T.c.status == status)
    if direction is not None:
        query = query.where((T.c.holder if direction == INCOMING else T.c.asker) == node_id)
    if before is not None:
        at, request_id = before
        query = query.where(
            or_(
                T.c.requested_at < at,
                and_(T.c.requested_at == at, T.c.request_id < request_id),
            )
        )
    query = query.order_by(T.c.requested_at.desc(), T.c.request_id.desc()).limit(limit)
    return [_request(row) for row in conn.execute(query)]


def disclosable_item(conn: Connection, node_id: str, value_type: str, value: str) -> str | None:
    """The newest current item originated by this node that holds the value openly (never in
    a protected person's details: those are not offered to a match either, psi_store.py)."""
    query = (
        select(items.c.id)
        .join(sightings, sightings.c.item_id == items.c.id)
        .join(indicator_values, indicator_values.c.id == sightings.c.value_id)
        .where(
            indicator_values.c.type == value_type,
            indicator_values.c.value == value,
            sightings.c.origin == node_id,
            sightings.c.protected.is_(False),
            items.c.superseded_by.is_(None),
            items.c.tombstoned.is_(False),
        )
        .order_by(items.c.created.desc(), items.c.id.desc())
        .limit(1)
    )
    return conn.execute(query).scalar()


def observe(node: Node, conn: Connection, envelopes: Sequence[Envelope]) -> None:
    """Apply stored requests, answers and erasures to the state, in the caller's transaction.

    For this node's own answers a request that is no longer pending is a conflict (raised, so
    the whole publish rolls back); a received answer that lost such a race changes nothing.
    """
    for env in envelopes:
        if env.kind == REQUEST_KIND:
            _record_request(node, conn, env)
        elif env.kind == ANSWER_KIND:
            _record_answer(node, conn, env)
        elif env.kind == "tombstone" and env.refers_to is not None:
            # the asker erased its request (LED Art 16): the value goes with it
            conn.execute(T.delete().where(T.c.request_id == env.refers_to, T.c.asker == env.origin))


def _record_request(node: Node, conn: Connection, env: Envelope) -> None:
    if env.origin == node.node_id:
        others = [n for n in env.audience.nodes if n != node.node_id]
        if len(others) != 1 or env.audience.groups:
            raise BadInput(
                "a disclosure request is addressed to exactly one holder node",
                code="bad_audience",
            )
        holder = others[0]
    else:
        holder = node.node_id
    if get(conn, env.id) is not None:
        return  # received twice (a push and a pull): stored once
    body = env.body
    conn.execute(
        insert(T).values(
            request_id=env.id,
            asker=env.origin,
            holder=holder,
            value_type=body["value_type"],
            value=body["value"],
            justification=body["justification"],
            requested_by=env.author,
            status=PENDING,
            requested_at=env.created,
        )
    )


def _record_answer(node: Node, conn: Connection, env: Envelope) -> None:
    mine = env.origin == node.node_id
    party = T.c.holder if mine else T.c.asker
    decided = conn.execute(
        update(T)
        .where(
            T.c.request_id == env.refers_to,
            T.c.holder == env.origin,
            party == node.node_id,
            T.c.status == PENDING,
        )
        .values(
            status=str(env.body["decision"]),
            decided_at=env.created,
            decided_by=env.author,
            reason=env.body["reason"],
            disclosure_id=env.id,
        )
    )
    if decided.rowcount == 1 and mine:
        append(conn, _decision_entry(env), node.now())
    elif decided.rowcount != 1 and mine:
        raise Conflict(
            f"request {env.refers_to} is not pending at this node", code="already_decided"
        )


def _decision_entry(env: Envelope) -> AuditEntry:
    """LED Art 25: the decision, with its reason as the justification and the asker named."""
    approved = env.body["decision"] == APPROVED
    return AuditEntry(
        actor=f"member:{env.author}",
        action=AuditAction.DISCLOSURE if approved else AuditAction.CONSULTATION,
        item_id=env.body["item"] if approved else env.refers_to,
        justification=env.body["reason"],
        recipients=tuple(f"node:{n}" for n in env.audience.nodes if n != env.origin),
        details={
            "what": "disclosure_request",
            "decision": env.body["decision"],
            "request": env.refers_to,
            "disclosure": env.id,
        },
        personal_data=True,
    )
