"""The audit log as the service tests compare it: what an entry says, without its place in the
chain (seq, time, hashes), oldest first."""

from __future__ import annotations

from typing import Any

from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.node import Node

SAID = ("actor", "action", "item_id", "justification", "recipients", "details")


def entries(node: Node, action: AuditAction | None = None) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        found = list_entries(conn, AuditFilter(action=action), limit=1000)
    return [{name: entry[name] for name in SAID} for entry in reversed(found)]


def count(node: Node) -> int:
    return len(entries(node))
