"""Reading the audit log for people: pages of entries, the check of the chain, exports for a
supervisory authority. Each read is a read transaction of its own, so that the web pages, the
API and the CLI never open one themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csnet.audit.log import read_head
from csnet.audit.query import AuditFilter, export, list_entries
from csnet.audit.verify import VerifyReport, verify
from csnet.node import Node


def entries(
    node: Node, filters: AuditFilter | None = None, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of matching entries, newest first (BadInput for a bad limit or offset)."""
    with node.store.read() as conn:
        return list_entries(conn, filters, limit=limit, offset=offset)


def check_chain(node: Node) -> VerifyReport:
    """Recompute every hash and link; the report names each altered, removed or inserted row."""
    with node.store.read() as conn:
        return verify(conn)


def export_rows(
    node: Node,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    item_id: str | None = None,
) -> list[dict[str, Any]]:
    """Matching entries in chain order, with their hashes so that a recipient can re-verify."""
    with node.store.read() as conn:
        return list(export(conn, since=since, until=until, actor=actor, item_id=item_id))


def length(node: Node) -> int:
    """How many entries the chain holds, as its recorded head says."""
    with node.store.read() as conn:
        head = read_head(conn)
    return head.seq if head else 0
