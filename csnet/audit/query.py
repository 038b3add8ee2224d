"""Reading the audit log: exports for a supervisory authority (LED Art 25(2)) and pages for UIs.

Rows come out JSON-ready with prev_hash and hash, so a recipient can recompute each hash as
sha256(RFC 8785 JSON of the row without "hash") and check the links between consecutive rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, select, true

from csnet.audit.entries import AuditAction, Row, format_at
from csnet.errors import BadInput
from csnet.store.tables import audit_log

MAX_PAGE = 1000
STREAM_BATCH = 1000


@dataclass(frozen=True)
class AuditFilter:
    """Filters; `since` is inclusive and `until` exclusive, so periods tile without overlap."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    item_id: str | None = None
    action: AuditAction | None = None


def export(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    item_id: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Matching rows in chain order, streamed; consume (or close) inside the transaction."""
    flt = AuditFilter(since=since, until=until, actor=actor, item_id=item_id)
    stmt = _select(flt).order_by(audit_log.c.seq)
    result = conn.execute(stmt, execution_options={"yield_per": STREAM_BATCH})
    try:
        for row in result:
            yield row_to_dict(row._mapping)
    finally:
        result.close()  # a consumer that stops early must not leave a server-side cursor open


def list_entries(
    conn: Connection, filters: AuditFilter | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of matching rows, newest first."""
    if not 1 <= limit <= MAX_PAGE:
        raise BadInput(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise BadInput("offset must not be negative")
    stmt = _select(filters or AuditFilter()).order_by(audit_log.c.seq.desc())
    rows = conn.execute(stmt.limit(limit).offset(offset))
    return [row_to_dict(row._mapping) for row in rows]


def row_to_dict(row: Row) -> dict[str, Any]:
    """A stored row as JSON-ready data; recipients and details parsed back from canonical text."""
    return {
        "seq": row["seq"],
        "at": row["at"],
        "actor": row["actor"],
        "action": row["action"],
        "item_id": row["item_id"],
        "justification": row["justification"],
        "recipients": json.loads(row["recipients"]),
        "details": json.loads(row["details"]),
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


def _select(flt: AuditFilter) -> Select[Any]:
    return select(audit_log).where(and_(true(), *_conditions(flt)))


def _conditions(flt: AuditFilter) -> Iterator[ColumnElement[bool]]:
    # `at` is fixed-width RFC 3339 UTC text, so text comparison is time comparison.
    if flt.since is not None:
        yield audit_log.c.at >= _at(flt.since)
    if flt.until is not None:
        yield audit_log.c.at < _at(flt.until)
    if flt.actor is not None:
        yield audit_log.c.actor == flt.actor
    if flt.item_id is not None:
        yield audit_log.c.item_id == flt.item_id
    if flt.action is not None:
        yield audit_log.c.action == _action(flt.action)


def _at(value: datetime) -> str:
    if value.tzinfo is None:
        raise BadInput("audit time filters need a timezone")
    return format_at(value)


def _action(value: str) -> str:
    try:
        return AuditAction(value).value
    except ValueError:
        raise BadInput(f"unknown audit action {value!r}") from None
