"""The document check: one zone or document → the zone's validity, this node's register entry,
the items here that name the document (fraud reports, alerts, sightings), and the peers' hit or
no-hit by PSI. The one service behind `csnet doc check` and `POST /api/v1/documents/check`.

A check consults personal data: it needs the caller's justification, and the register look-up,
the items shown and each PSI query are audited with it (register.py, csnet.reading,
psi_federation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csnet.access import Caller
from csnet.correlation.search import Holding, consulted, matches_of
from csnet.documents import network, register
from csnet.documents.entries import Entry
from csnet.documents.query import Query, read_query
from csnet.errors import Forbidden
from csnet.handling.roles import Role
from csnet.indicators.base import Hint
from csnet.node import Node
from csnet.reading import audit_consultation


@dataclass(frozen=True)
class Checked:
    query: Query
    register: list[Entry]
    items: list[Holding]
    network: list[network.PeerAnswer] | None  # None: not asked

    @property
    def found(self) -> bool:
        """Anything anywhere: a register entry, an item here, a peer's hit."""
        peers_hit = any(answer.hits for answer in self.network or [])
        return bool(self.register or self.items or peers_hit)

    def to_json(self) -> dict[str, Any]:
        reading = self.query.reading
        zone = reading.to_json() if reading is not None else None
        document = self.query.document
        return {
            "valid": None if zone is None else zone["valid"],
            "format": None if zone is None else zone["format"],
            "expired": None if zone is None else zone["expired"],
            "document": None if document is None else document.value,
            "fields": {} if zone is None else zone["fields"],
            "errors": [] if zone is None else zone["errors"],
            "warnings": [] if zone is None else zone["warnings"],
            "repairs": [] if zone is None else zone["repairs"],
            "register": [entry.to_json() for entry in self.register],
            "items": [_holding_json(h) for h in self.items],
            "network": None if self.network is None else [a.to_json() for a in self.network],
            "found": self.found,
        }


def _holding_json(held: Holding) -> dict[str, Any]:
    env = held.item.envelope
    return {
        "id": env.id,
        "kind": env.kind,
        "origin": env.origin,
        "created": env.created.isoformat(),
        "restricted": held.restricted,
        "protected": held.protected,
    }


def check(node: Node, caller: Caller, text: str, *, ask_network: bool = True) -> Checked:
    """Check `text` (a zone or a document) here and, unless told not to, on every active peer."""
    if caller.member.role is Role.ADMIN:
        # why: node administrators never consult personal data (docs/api.md), registers included
        raise Forbidden("node administrators do not consult documents", code="role_denied")
    justification = register.require_justification(caller.justification)
    query = read_query(text, node.now().date(), Hint(country=node.identity.country or None))
    if query.document is None:
        return Checked(query, [], [], None)  # nothing to look up, here or on the peers
    actor = f"member:{caller.member.id}"
    value = query.document.value
    entries = register.lookup(node, actor, value, justification)
    (match,) = matches_of(node, caller, [query.document])
    audit_consultation(node, caller, consulted([match]), via="document check")
    answers = network.ask_peers(node, value, justification, actor) if ask_network else None
    return Checked(query, entries, match.items, answers)
