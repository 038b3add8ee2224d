"""Disclosure requests: the follow-up of a hit (Europol Reg Art 20(2), docs/indicators.md).

A member of the asking node opens a request for one value held by one peer; a supervisor of
the holder approves (the answer copies one of the holder's own items, with its markings and
grading) or declines it, with a reason. Both are signed items published like any other, so
they are stored, audited, delivered and announced on the live feed by the item path; their
state is kept by disclosures.py in the same transaction.

Who may do what: any member who may publish opens a request (AUTHOR_ROLES); only the roles
the policy lets disclose (handling/roles.py: supervisors) answer one, declines included, since
both are the provider's decision; listing is for members who may publish (never admins, who
may not consult personal data), and shows values only with a justification (LED Art 25).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csnet.access import Caller, ask
from csnet.audit.entries import MAX_JUSTIFICATION
from csnet.correlation import disclosures
from csnet.correlation.disclosures import ANSWER_KIND, REQUEST_KIND, Request
from csnet.correlation.psi_federation import active_peer
from csnet.errors import BadInput, Conflict, Forbidden, NotFound
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.markings import TLP, Handling, HandlingCode, Markings
from csnet.handling.roles import ROLE_ACTIONS, Action
from csnet.indicators import registry
from csnet.indicators.base import Hint
from csnet.items import links
from csnet.items.disclosure_bodies import DisclosureDecision
from csnet.items.envelope import Envelope
from csnet.items.indicator_body import INDICATOR_KIND
from csnet.items.item_indicators import indicators_of
from csnet.node import Node
from csnet.publishing import AUTHOR_ROLES, NewItem, publish
from csnet.reading import audit_consultations
from csnet.store import item_store
from csnet.store.item_store import StoredItem

DECIDER_ROLES = frozenset(role for role, acts in ROLE_ACTIONS.items() if Action.DISCLOSE in acts)
# The value is personal data of a person whose role the asker does not assert: LED Art 6(d),
# the residual category, so reading a request is an audited consultation. H2: the holder may
# not pass the request on.
REQUEST_MARKINGS = Markings(
    tlp=TLP.AMBER,
    handling=Handling(code=HandlingCode.H2),
    subjects=(DataSubjectCategory.WITNESS_CONTACT,),
)
DECLINE_MARKINGS = Markings(tlp=TLP.AMBER)  # a decline releases nothing: no data subjects


@dataclass(frozen=True)
class Shown:
    """A request as shown to a member: without its value and justification (`restricted`)
    until the member gives a justification for consulting them."""

    request: Request
    restricted: bool


def required_text(value: str | None, what: str) -> str:
    """A reason or justification: required, printable length (BadInput `<what>_required`)."""
    text = (value or "").strip()
    if not text:
        raise BadInput(f"a {what} is required", code=f"{what}_required")
    if len(text) > MAX_JUSTIFICATION:
        raise BadInput(f"the {what} is longer than {MAX_JUSTIFICATION} characters")
    return text


def open_request(
    node: Node, caller: Caller, peer: str, value_type: str, value: str, justification: str
) -> Envelope:
    """Ask `peer` to disclose what it holds on one value (canonical via the registry)."""
    why = required_text(justification, "justification")
    indicator = registry.parse(value_type, value, Hint(country=node.identity.country or None))
    if peer == node.node_id:
        raise BadInput("a disclosure request goes to another node", code="bad_peer")
    active_peer(node, peer)
    body = {"value_type": indicator.type, "value": indicator.value, "justification": why}
    new = NewItem(REQUEST_KIND, body, REQUEST_MARKINGS, audience_nodes=(peer,))
    return publish(node, Caller(caller.member, why), new)


def approve(
    node: Node, caller: Caller, request_id: str, reason: str, item_id: str | None = None
) -> Envelope:
    """Release one of this node's items to the asker, if its markings let the asker have it."""
    why = required_text(reason, "reason")
    asked = _pending_incoming(node, caller, request_id)
    held = _item_to_disclose(node, asked, item_id)
    _require_value(node, asked, held.envelope)
    decider = Caller(caller.member, why)
    peer = active_peer(node, asked.asker)
    env = held.envelope
    decision = ask(
        node,
        decider,
        Action.DISCLOSE,
        env,
        target_node=peer.node_id,
        target_country=peer.identity.country,
    )
    if not decision.allowed:
        raise Forbidden(
            f"item {env.id} may not be disclosed to {peer.node_id}: " + "; ".join(decision.reasons),
            code="disclosure_forbidden",
            details={"reasons": list(decision.reasons)},
        )
    body = {
        "decision": DisclosureDecision.APPROVED.value,
        "reason": why,
        "item": env.id,
        "item_kind": env.kind,
        "text": disclosed_text(env.body),
        "persons": env.body.get("persons", []),
        **({"title": env.body["title"]} if "title" in env.body else {}),
        **{k: env.body[k] for k in ("value_type", "value") if env.kind == INDICATOR_KIND},
    }
    new = NewItem(
        ANSWER_KIND,
        body,
        env.markings,  # the holder's markings and grading, verbatim
        env.grading,
        audience_nodes=(asked.asker,),
        refers_to=asked.request_id,
    )
    return publish(node, decider, new)


def decline(node: Node, caller: Caller, request_id: str, reason: str) -> Envelope:
    why = required_text(reason, "reason")
    asked = _pending_incoming(node, caller, request_id)
    body = {"decision": DisclosureDecision.DECLINED.value, "reason": why}
    new = NewItem(
        ANSWER_KIND,
        body,
        DECLINE_MARKINGS,
        audience_nodes=(asked.asker,),
        refers_to=asked.request_id,
    )
    return publish(node, Caller(caller.member, why), new)


def _pending_incoming(node: Node, caller: Caller, request_id: str) -> Request:
    if caller.member.role not in DECIDER_ROLES:
        raise Forbidden(
            f"role {caller.member.role} cannot answer disclosure requests (supervisors do)",
            code="role_denied",
        )
    with node.store.read() as conn:
        asked = disclosures.get(conn, request_id)
    if asked is None:
        raise NotFound(f"no disclosure request {request_id}")
    if asked.holder != node.node_id:
        raise Forbidden("only the node asked answers a request", code="not_holder")
    if asked.status != disclosures.PENDING:
        raise Conflict(f"request {request_id} is already {asked.status}", code="already_decided")
    return asked


def _item_to_disclose(node: Node, asked: Request, item_id: str | None) -> StoredItem:
    """The item named, else the newest of this node's items holding the value openly."""
    with node.store.read() as conn:
        if item_id is None:
            found = disclosures.disclosable_item(conn, node.node_id, asked.value_type, asked.value)
            if found is None:
                raise NotFound(
                    "no current item of this node holds the value openly: name one with item",
                    code="nothing_to_disclose",
                )
        else:
            found = item_store.resolve_id(conn, item_id)
        held = None if found is None else item_store.get_item(conn, found)
    if held is None or held.tombstoned:
        raise NotFound(f"no item {item_id} (give the full id if a prefix is ambiguous)")
    return _disclosable(node, held)


def _require_value(node: Node, asked: Request, env: Envelope) -> None:
    """The item released must hold the value asked about (read as this node reads its own)."""
    hint = Hint(country=node.identity.country or None)
    values = {(i.type, i.value) for i in indicators_of(env, hint)}
    target = links.Asked(
        asked.request_id, asked.asker, asked.holder, asked.value_type, asked.value, True
    )
    links.require_value(target, values)


def _disclosable(node: Node, held: StoredItem) -> StoredItem:
    env = held.envelope
    if env.origin != node.node_id:
        raise Forbidden(
            f"item {env.id} comes from node {env.origin}: only its originator may disclose it",
            code="third_party_item",
        )
    if held.superseded_by:
        raise BadInput(
            f"item {env.id} was corrected by {held.superseded_by}: disclose the current version",
            code="already_superseded",
        )
    if disclosed_text(env.body) is None:
        raise BadInput(
            f"item {env.id} ({env.kind}) has no text to disclose", code="not_disclosable"
        )
    return held


def disclosed_text(body: dict[str, Any]) -> str | None:
    """What an approval copies: an alert's or note's text, or where an indicator item says the
    value was seen (the asker already knows the value: it asked about it)."""
    for field in ("text", "context"):
        if isinstance(body.get(field), str):
            return str(body[field])
    return None


def _may_list(caller: Caller) -> None:
    if caller.member.role not in AUTHOR_ROLES:
        raise Forbidden(
            f"role {caller.member.role} may not consult disclosure requests", code="role_denied"
        )


def list_requests(
    node: Node,
    caller: Caller,
    *,
    status: str | None = None,
    direction: str | None = None,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[Shown]:
    """Requests to and from this node, newest first; values only with a justification."""
    _may_list(caller)
    if status is not None and status not in disclosures.STATUSES:
        raise BadInput(f"status is one of {', '.join(disclosures.STATUSES)}", code="bad_status")
    if direction not in (None, disclosures.INCOMING, disclosures.OUTGOING):
        raise BadInput("direction is incoming or outgoing", code="bad_direction")
    with node.store.read() as conn:
        rows = disclosures.page(
            conn, node.node_id, status=status, direction=direction, before=before, limit=limit
        )
    return _shown(node, caller, rows)


def show(node: Node, caller: Caller, request_id: str) -> Shown:
    _may_list(caller)
    with node.store.read() as conn:
        asked = disclosures.get(conn, request_id)
    if asked is None:
        raise NotFound(f"no disclosure request {request_id}")
    return _shown(node, caller, [asked])[0]


def after_action(node: Node, request_id: str) -> Shown:
    """A request as it stands after the caller opened or answered it: what they just did, in
    full, and not a consultation (nothing is audited)."""
    with node.store.read() as conn:
        row = disclosures.get(conn, request_id)
    if row is None:  # erased in the meantime
        raise NotFound(f"no disclosure request {request_id}")
    return Shown(row, restricted=False)


def _shown(node: Node, caller: Caller, rows: list[Request]) -> list[Shown]:
    restricted = not caller.justification
    if not restricted:
        _audit_consultation(node, caller, rows)
    return [Shown(row, restricted) for row in rows]


def _audit_consultation(node: Node, caller: Caller, rows: list[Request]) -> None:
    """LED Art 25: each request whose value was shown, with the member's justification."""
    shown = [(r.request_id, {"what": "disclosure_request", "status": r.status}) for r in rows]
    audit_consultations(node, caller, shown)


def to_json(shown: Shown, node_id: str) -> dict[str, Any]:
    """The API's and the CLI's view of a request."""
    row = shown.request
    hidden = shown.restricted
    return {
        "request_id": row.request_id,
        "direction": row.direction(node_id),
        "asker": row.asker,
        "holder": row.holder,
        "value_type": row.value_type,
        "value": None if hidden else row.value,
        "justification": None if hidden else row.justification,
        "requested_by": row.requested_by,
        "status": row.status,
        "requested_at": row.requested_at,
        "decided_at": row.decided_at,
        "decided_by": row.decided_by,
        "reason": row.reason,
        "disclosure_id": row.disclosure_id,
        "restricted": hidden,
    }
