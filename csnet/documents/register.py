"""The document register service: the one way to add, remove, list and look up entries, for the
CLI, the API and the CSV import alike.

Each change runs in one transaction with its audit entry (collection or erasure), so a refused
change leaves neither a row nor a log line. A document number belongs to a person: listing the
register or looking a document up is a consultation of personal data, refused without a
justification and audited with it (LED Art 25) — with the entries' ids, never the numbers.
The actor is "member:<id>" through the API, "host:<user>" on the host.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from csnet.audit import AuditAction, AuditEntry, append
from csnet.documents.entries import Entry, NewEntry
from csnet.errors import BadInput, Conflict, Forbidden, NotFound
from csnet.node import Node
from csnet.store.tables import document_register as register

WHAT = "document register"
MAX_LISTED = 10_000
# why: SQLite allows 32,766 bound parameters; one IN list stays far below on either dialect
_IN_BATCH = 2_000


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id,
        document=row.value,
        status=row.status,
        reported=row.reported,
        authority=row.authority,
        note=row.note,
        added_by=row.added_by,
        added_at=row.added_at,
    )


def _row(entry: NewEntry, actor: str, node: Node) -> dict[str, Any]:
    return {
        "value": entry.document,
        "status": entry.status,
        "reported": entry.reported,
        "authority": entry.authority,
        "note": entry.note,
        "added_by": actor,
        "added_at": node.now(),
    }


# why: built once, so SQLAlchemy's cache finds it; a check asks for one document
_ONE = select(register).where(register.c.value == bindparam("value"))


def held(conn: Connection, documents: Iterable[str]) -> dict[str, Entry]:
    """The entries of these documents, by document (an exact match on the unique index)."""
    wanted = sorted(set(documents))
    if len(wanted) == 1:
        return {row.value: _entry(row) for row in conn.execute(_ONE, {"value": wanted[0]})}
    found: dict[str, Entry] = {}
    for first in range(0, len(wanted), _IN_BATCH):
        query = select(register).where(register.c.value.in_(wanted[first : first + _IN_BATCH]))
        found.update({row.value: _entry(row) for row in conn.execute(query)})
    return found


def add(node: Node, actor: str, entry: NewEntry) -> Entry:
    """One entry; Conflict if the document is in the register already."""
    with node.store.write() as conn:
        if held(conn, [entry.document]):
            raise Conflict(f"{entry.document} is in the register already", code="duplicate")
        conn.execute(insert(register).values(_row(entry, actor, node)))
        (stored,) = held(conn, [entry.document]).values()
        details = {"what": WHAT, "entry": stored.id, "status": entry.status}
        append(conn, AuditEntry(actor, AuditAction.COLLECTION, details=details), node.now())
    return stored


def add_chunk(
    node: Node, actor: str, entries: Sequence[tuple[int, NewEntry]]
) -> tuple[int, list[tuple[int, NewEntry]]]:
    """Entries numbered by their line in one transaction with one audit entry; returns how many
    were added and the (line, entry) pairs already in the register (left untouched)."""
    with node.store.write() as conn:
        present = held(conn, (e.document for _, e in entries))
        fresh = [(line, e) for line, e in entries if e.document not in present]
        if fresh:
            conn.execute(insert(register), [_row(e, actor, node) for _, e in fresh])
            lines = [fresh[0][0], fresh[-1][0]]
            details = {"what": WHAT, "imported": len(fresh), "lines": lines}
            append(conn, AuditEntry(actor, AuditAction.COLLECTION, details=details), node.now())
    return len(fresh), [(line, e) for line, e in entries if e.document in present]


def remove(node: Node, actor: str, document: str, reason: str) -> Entry:
    """Take a document off the register (found again, or entered by mistake), with the reason."""
    if not reason.strip():
        raise BadInput("say why the entry is removed", code="reason_required")
    with node.store.write() as conn:
        found = held(conn, [document]).get(document)
        if found is None:
            raise NotFound(f"{document} is not in the register")
        conn.execute(delete(register).where(register.c.id == found.id))
        details = {"what": WHAT, "entry": found.id, "reason": reason.strip()}
        append(conn, AuditEntry(actor, AuditAction.ERASURE, details=details), node.now())
    return found


def require_justification(justification: str | None) -> str:
    if justification is None or not justification.strip():
        raise Forbidden(
            "the register holds personal data: give a justification to consult it",
            code="justification_required",
        )
    return justification.strip()


def _consulted(
    conn: Connection, node: Node, actor: str, justification: str | None, **what: Any
) -> None:
    entry = AuditEntry(
        actor,
        AuditAction.CONSULTATION,
        justification=require_justification(justification),
        details={"what": WHAT, **what},
        personal_data=True,
    )
    append(conn, entry, node.now())


def lookup(node: Node, actor: str, document: str, justification: str | None) -> list[Entry]:
    """The register's entry for this document (none or one), audited with the justification."""
    with node.store.write() as conn:
        found = list(held(conn, [document]).values())
        _consulted(conn, node, actor, justification, entries=[e.id for e in found])
    return found


def entries(
    node: Node, actor: str, justification: str | None, status: str | None = None
) -> tuple[list[Entry], int]:
    """The newest entries (at most MAX_LISTED), of one status when given, and how many the
    register holds in all; audited as a consultation."""
    query = select(register).order_by(register.c.id.desc()).limit(MAX_LISTED)
    count = select(func.count()).select_from(register)
    if status is not None:
        query = query.where(register.c.status == status)
        count = count.where(register.c.status == status)
    with node.store.write() as conn:
        listed = [_entry(row) for row in conn.execute(query)]
        total = int(conn.execute(count).scalar_one())
        _consulted(conn, node, actor, justification, listed=len(listed), status=status)
    return listed, total
