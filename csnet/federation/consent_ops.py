"""Originator-side consents: grant and withdraw this node's H2 consent to pass its item on.

A consent is a signed item of kind "consent" (see consent.py for how receivers apply it). It is
TLP:GREEN under the item's own releasability and addressed to the item's audience and to the
nodes and groups it names (a withdrawal also to those named before), so every holder learns it
and may pass it on to the nodes it names, next to the item: the receiver of a relayed H2 item
checks the consent itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from csnet.accounts.members import Member
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import BadInput, Forbidden, NotFound
from csnet.federation import consent
from csnet.federation.requests import is_node_id
from csnet.handling.markings import TLP, HandlingCode, Markings
from csnet.handling.roles import Role
from csnet.items.bodies import GROUP_ID_PATTERN
from csnet.items.envelope import Audience, Envelope
from csnet.items.fields import format_utc
from csnet.items.signing import ItemDraft
from csnet.node import Node
from csnet.pipeline.seal import NODE_AUTHOR, issue, issuing  # the CLI acts for the whole node
from csnet.pipeline.source import Source
from csnet.store import item_store

WITHDRAWN = "consent withdrawn"


@dataclass(frozen=True)
class Request:
    """What the originator consents to: who may receive the item onward, until when, why."""

    nodes: frozenset[str]
    groups: frozenset[str]
    purpose: str
    expires: datetime | None = None


@dataclass(frozen=True)
class Issuer:
    """Who grants: the audit actor ('member:…', 'host:…'), the envelope author, the reason, and
    whether they decide for any of the node's items (the host and supervisors) or only for the
    items they wrote."""

    actor: str
    author: str = NODE_AUTHOR
    justification: str | None = None
    any_item: bool = True


def member_issuer(member: Member, justification: str | None = None) -> Issuer:
    """A member on the web: the provider decides on dissemination (Europol Reg Art 20(2)), so
    only the item's author or a supervisor of its node may."""
    actor = f"member:{member.id}"
    return Issuer(actor, member.id, justification, any_item=member.role is Role.SUPERVISOR)


def own_item(node: Node, conn: Connection, item_id: str) -> Envelope:
    """This node's H2 item, by id or unique prefix (else not_found / not_origin)."""
    full = item_store.resolve_id(conn, item_id)
    held = None if full is None else item_store.get_item(conn, full)
    if held is None or held.tombstoned:
        raise NotFound(f"no item {item_id} (give the full id if a prefix is ambiguous)")
    env = held.envelope
    if env.origin != node.node_id:
        raise Forbidden(
            "only the item's originating node may consent to passing it on",
            code="not_origin",
        )
    if env.markings.handling.code is not HandlingCode.H2:
        raise BadInput(
            f"item {env.id} is not marked H2: passing it on needs no consent",
            code="consent_not_needed",
        )
    return env


def _decided_by(node: Node, conn: Connection, item_id: str, issuer: Issuer) -> Envelope:
    """The H2 item, if the issuer may decide on passing it on (else not found / forbidden)."""
    env = own_item(node, conn, item_id)
    if not issuer.any_item and env.author != issuer.author:
        raise Forbidden(
            "only the item's author or a supervisor may consent to passing it on",
            code="role_denied",
        )
    return env


def grant(node: Node, item_id: str, request: Request, issuer: Issuer) -> consent.Grant:
    """Issue a consent for this node's H2 item; it replaces any earlier one for the item."""
    _check_request(node, request)
    with issuing(node) as conn:
        env = _decided_by(node, conn, item_id, issuer)
        issued = _issue(node, conn, env, request, issuer.author)
        _audit(node, conn, issuer, issued, "granted")
    return consent.grant_of(issued)


def withdraw(node: Node, item_id: str, issuer: Issuer) -> consent.Grant:
    """Withdraw the consent for an item: a consent naming nobody, sent to everyone the earlier
    one reached."""
    with issuing(node) as conn:
        env = _decided_by(node, conn, item_id, issuer)
        current = consent.View(conn).grant(env.id, node.node_id)
        if current is None or current.state(node.now()) == "withdrawn":
            raise NotFound(f"no consent for item {env.id} to withdraw", code="no_consent")
        empty = Request(frozenset(), frozenset(), WITHDRAWN)
        issued = _issue(node, conn, env, empty, issuer.author)
        _audit(node, conn, issuer, issued, "withdrawn")
    return consent.grant_of(issued)


def list_consents(node: Node) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        found = consent.load_all(conn)
    now = node.now()
    return [{**g.to_json(now), "mine": g.origin == node.node_id} for g in found]


def _check_request(node: Node, request: Request) -> None:
    named = [n for n in request.nodes if not is_node_id(n)]
    named += [g for g in request.groups if not re.fullmatch(GROUP_ID_PATTERN, g)]
    if named:
        raise BadInput(f"not node or sharing-group ids: {sorted(named)[:5]}", code="bad_consent")
    if not (request.nodes or request.groups):
        raise BadInput("name at least one node or sharing group", code="empty_consent")
    if request.expires is not None and request.expires <= node.now():
        raise BadInput("the consent would expire before it is granted", code="bad_expiry")
    if node.node_id in request.nodes:
        raise BadInput("this node needs no consent for its own item", code="bad_consent")


def item_of(node: Node, ident: str) -> str:
    """The item a withdrawal is about: `ident` names the item, or one of its consents."""
    with node.store.read() as conn:
        full = item_store.resolve_id(conn, ident)
        held = None if full is None else item_store.get_item(conn, full)
    if held is not None and held.envelope.kind == consent.CONSENT_KIND:
        return str(held.envelope.body["item"])
    return ident


def _issue(node: Node, conn: Connection, env: Envelope, request: Request, author: str) -> Envelope:
    previous = consent.View(conn).grant(env.id, node.node_id)
    before = (previous.nodes, previous.groups) if previous else (frozenset(), frozenset())
    body = {
        "item": env.id,
        "relay_to_nodes": sorted(request.nodes),
        "relay_to_groups": sorted(request.groups),
        "purpose": request.purpose,
        **({"expires": format_utc(request.expires)} if request.expires else {}),
    }
    # why: GREEN within its audience lets holders hand it on to whom it names, and the item's
    # releasability keeps it from nodes that could never receive the item itself
    draft = ItemDraft(
        kind=consent.CONSENT_KIND,
        author=author,
        audience=Audience(
            nodes=_union(env.audience.nodes, request.nodes, before[0], [node.node_id]),
            groups=_union(env.audience.groups, request.groups, before[1]),
        ),
        markings=Markings(tlp=TLP.GREEN, releasability=env.markings.releasability),
        body=body,
    )
    # why: the consent is audited as such by the caller (`_audit`); the outbox records it
    return issue(node, conn, draft, Source.node(node.node_id, audit=False))


def _union(*parts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({name for part in parts for name in part}))


def _audit(node: Node, conn: Connection, issuer: Issuer, issued: Envelope, change: str) -> None:
    body = issued.body
    entry = AuditEntry(
        actor=issuer.actor,
        action=AuditAction.COLLECTION,
        item_id=issued.id,
        justification=issuer.justification,
        recipients=tuple(f"node:{n}" for n in body.get("relay_to_nodes", ()))
        + tuple(f"group:{g}" for g in body.get("relay_to_groups", ())),
        details={"kind": consent.CONSENT_KIND, "consent": change, "item": body["item"]},
    )
    append(conn, entry, node.now())
