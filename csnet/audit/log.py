"""Appending to the hash-chained audit log.

The chain head (last seq and hash) is also kept in node_meta["audit_head"], written in the same
transaction as the rows, so that deleting rows from the end of the log is detected as well.
Call these inside `Store.write()`: the single writer is what keeps seq numbers gap-free.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from csnet.audit.entries import GENESIS_HASH, AuditEntry, build_row, format_at, normalise
from csnet.errors import IntegrityFailure
from csnet.store import driver_rows
from csnet.store.tables import audit_log, node_meta

HEAD_KEY = "audit_head"


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


# Built once: constructing statements costs more than running them on SQLite.
_SELECT_HEAD = select(node_meta.c.value).where(node_meta.c.key == HEAD_KEY)
_UPDATE_HEAD = update(node_meta).where(node_meta.c.key == HEAD_KEY)
_INSERT_HEAD = insert(node_meta)
_ANY_ROW = select(audit_log.c.seq).limit(1)


def read_head(conn: Connection) -> Head | None:
    """The recorded chain head; None before the first entry. Unreadable → IntegrityFailure."""
    value = conn.execute(_SELECT_HEAD).scalar_one_or_none()
    return None if value is None else parse_head(value)


def parse_head(value: str) -> Head:
    try:
        data = json.loads(value)
        head = Head(seq=data["seq"], hash=data["hash"])
    except (ValueError, TypeError, KeyError):
        raise IntegrityFailure("the audit chain head record is unreadable") from None
    if not isinstance(head.seq, int) or not isinstance(head.hash, str):
        raise IntegrityFailure("the audit chain head record is unreadable")
    return head


def append(conn: Connection, entry: AuditEntry, now: datetime) -> int:
    """Log one entry; returns its seq."""
    return append_many(conn, [entry], now)[0]


def append_many(conn: Connection, entries: Sequence[AuditEntry], now: datetime) -> list[int]:
    """Log entries in order, all with time `now`; one head read, one insert, one head write."""
    normalised = [normalise(e) for e in entries]  # validate all before writing anything
    if not normalised:
        return []
    at = format_at(now)
    head = read_head(conn)
    if head is None:
        _require_empty_log(conn)
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    rows = []
    for fields in normalised:
        seq += 1
        row = build_row(fields, seq, at, prev_hash)
        prev_hash = row["hash"]
        rows.append(row)
    driver_rows.insert_rows(conn, audit_log, rows)
    _write_head(conn, Head(seq, prev_hash), exists=head is not None)
    return [row["seq"] for row in rows]


def _require_empty_log(conn: Connection) -> None:
    # Without a head, a non-empty log means the head was deleted: do not chain onto a guess.
    if conn.execute(_ANY_ROW).first() is not None:
        raise IntegrityFailure(
            "the audit chain head is missing although the log has rows; run audit verification"
        )


def _write_head(conn: Connection, head: Head, *, exists: bool) -> None:
    value = json.dumps({"seq": head.seq, "hash": head.hash}, sort_keys=True)
    if exists:
        conn.execute(_UPDATE_HEAD, {"value": value})
    else:
        conn.execute(_INSERT_HEAD, {"key": HEAD_KEY, "value": value})
