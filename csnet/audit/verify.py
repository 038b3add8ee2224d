"""Verify the audit chain and name precisely what was tampered with.

Rows are streamed in seq order; memory stays bounded (a window of recent hashes plus what is
suspicious). For each row we recover its *position*: the seq its hash was computed with. An intact
row in place has position == seq; a renumbered row still hashes correctly with its old position,
which we find from the row it links to or a small neighbourhood. Then:

- altered:   the stored hash matches no position (a field changed), or a row was re-hashed and the
             next row (or the head) still links to the original hash;
- removed:   positions are missing in the middle of the chain;
- truncated: positions are missing at the end, below the head recorded in node_meta;
- inserted:  a self-consistent row that no row links to, that lies beyond the head, or that links to
             a row which is not its predecessor;
- reordered: intact rows stored under a seq other than their position (renumbering, swaps).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, select

from csnet.audit.chain import Chain, Problem
from csnet.audit.entries import Row
from csnet.audit.log import Head, read_head
from csnet.errors import IntegrityFailure
from csnet.store.tables import audit_log

__all__ = ["Problem", "VerifyReport", "verify"]
STREAM_BATCH = 1000


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    rows: int
    problems: list[Problem]  # in seq order; empty when ok


def verify(conn: Connection) -> VerifyReport:
    """Check every row and the chain head; never raises on tampering, it reports it."""
    try:
        head: Head | None = read_head(conn)
        head_problem = None
    except IntegrityFailure as exc:
        head, head_problem = None, Problem(0, "altered", exc.message)
    chain = Chain(head)
    for row in _stream(conn):
        chain.feed(row)
    problems = chain.finish()
    if head_problem is not None:
        problems.insert(0, head_problem)
    return VerifyReport(ok=not problems, rows=chain.rows, problems=problems)


def _stream(conn: Connection) -> Iterator[Row]:
    stmt = select(audit_log).order_by(audit_log.c.seq)
    # yield_per streams (server-side cursor on PostgreSQL) instead of loading every row.
    result = conn.execute(stmt, execution_options={"yield_per": STREAM_BATCH})
    try:
        for row in result:
            yield row._mapping
    finally:
        result.close()
