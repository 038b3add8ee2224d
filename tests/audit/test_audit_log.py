"""Append, verify, justification rules, export and listing of the audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import rfc8785
from sqlalchemy import select, text

from csnet.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    AuditFilter,
    append,
    append_many,
    export,
    list_entries,
    read_head,
    verify,
)
from csnet.errors import BadInput, IntegrityFailure
from csnet.store.engine import Store
from csnet.store.tables import audit_log


def entry(**changes: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "actor": "member:m_alice",
        "action": AuditAction.COLLECTION,
        "item_id": "a" * 64,
        "details": {"kind": "alert"},
    }
    return AuditEntry(**{**fields, **changes})


def test_append_returns_consecutive_seqs_and_moves_the_head(store: Store, now: datetime) -> None:
    with store.write() as conn:
        assert read_head(conn) is None
        assert append(conn, entry(), now) == 1
        assert append(conn, entry(), now) == 2
        assert append_many(conn, [entry(), entry(), entry()], now) == [3, 4, 5]
        assert append_many(conn, [], now) == []
    with store.read() as conn:
        head = read_head(conn)
        last = conn.execute(select(audit_log).where(audit_log.c.seq == 5)).one()
    assert head is not None and (head.seq, head.hash) == (5, last.hash)


def test_round_trip_verifies(store: Store, now: datetime) -> None:
    with store.write() as conn:
        for i in range(30):
            append(conn, entry(details={"i": i}), now + timedelta(seconds=i))
    with store.read() as conn:
        report = verify(conn)
    assert report.ok and report.rows == 30 and report.problems == []


def test_empty_log_verifies(store: Store) -> None:
    with store.read() as conn:
        report = verify(conn)
    assert report.ok and report.rows == 0


def test_first_row_links_to_zeros_and_hash_is_canonical_json(store: Store, now: datetime) -> None:
    with store.write() as conn:
        append(conn, entry(recipients=("node:b", "node:a", "node:b")), now)
    with store.read() as conn:
        row = next(export(conn))
        stored = conn.execute(select(audit_log)).one()
    assert row["prev_hash"] == GENESIS_HASH
    assert row["at"] == "2026-11-28T09:30:00.000000Z"
    assert row["recipients"] == ["node:a", "node:b"]  # sorted, deduplicated
    assert stored.recipients == '["node:a","node:b"]'
    assert stored.details == '{"kind":"alert"}'
    # A supervisory authority re-verifies with any RFC 8785 library:
    content = {k: v for k, v in row.items() if k != "hash"}
    assert hashlib.sha256(rfc8785.dumps(content)).hexdigest() == row["hash"]


def test_export_chain_reverifies_end_to_end(store: Store, now: datetime) -> None:
    with store.write() as conn:
        append_many(conn, [entry(details={"n": n, "x": [1.5, None, "ü"]}) for n in range(5)], now)
    with store.read() as conn:
        rows = list(export(conn))
    prev = GENESIS_HASH
    for row in rows:
        content = {k: v for k, v in row.items() if k != "hash"}
        assert row["prev_hash"] == prev
        assert hashlib.sha256(rfc8785.dumps(content)).hexdigest() == row["hash"]
        prev = row["hash"]
    json.dumps(rows)  # JSON-ready


@pytest.mark.parametrize(
    ("action", "personal", "justification", "ok"),
    [
        (AuditAction.CONSULTATION, True, None, False),
        (AuditAction.CONSULTATION, True, "   ", False),
        (AuditAction.CONSULTATION, True, "case 2026/17, route analysis", True),
        (AuditAction.CONSULTATION, False, None, True),
        (AuditAction.DISCLOSURE, True, None, False),
        (AuditAction.DISCLOSURE, True, "Europol Reg Art 20(2) release", True),
        (AuditAction.COLLECTION, True, None, True),
        (AuditAction.ERASURE, True, None, True),
    ],
)
def test_justification_required_for_consultation_and_disclosure_of_personal_data(
    store: Store,
    now: datetime,
    action: AuditAction,
    personal: bool,
    justification: str | None,
    ok: bool,
) -> None:
    e = entry(
        action=action,
        personal_data=personal,
        justification=justification,
        recipients=("node:peer",),
    )
    with store.write() as conn:
        if ok:
            append(conn, e, now)
        else:
            with pytest.raises(BadInput, match="justification is required"):
                append(conn, e, now)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"actor": ""}, "actor"),
        ({"actor": "alice"}, "actor"),
        ({"actor": "member:with space"}, "actor"),
        ({"action": "peek"}, "unknown audit action"),
        ({"item_id": "x" * 65}, "item_id"),
        ({"details": {"n": 2**60}}, "canonical"),
        ({"details": {"f": float("nan")}}, "canonical"),
        ({"details": {"o": object()}}, "canonical"),
        ({"details": ["not", "an", "object"]}, "object"),
        ({"recipients": ("",)}, "recipients"),
        ({"action": AuditAction.DISCLOSURE, "recipients": ()}, "recipients"),
    ],
)
def test_bad_entries_are_refused(
    store: Store, now: datetime, changes: dict[str, Any], message: str
) -> None:
    with store.write() as conn, pytest.raises(BadInput, match=message):
        append(conn, entry(**changes), now)
    with store.read() as conn:
        assert read_head(conn) is None


def test_a_bad_entry_in_a_batch_stores_nothing(store: Store, now: datetime) -> None:
    with store.write() as conn:
        with pytest.raises(BadInput):
            append_many(conn, [entry(), entry(actor="bad actor")], now)
        assert conn.execute(select(audit_log)).first() is None


def test_naive_time_is_a_programming_error(store: Store) -> None:
    with store.write() as conn, pytest.raises(ValueError, match="timezone"):
        append(conn, entry(), datetime(2026, 1, 1))


def test_append_refuses_to_chain_when_the_head_was_deleted(store: Store, now: datetime) -> None:
    with store.write() as conn:
        append(conn, entry(), now)
        conn.execute(text("DELETE FROM node_meta WHERE key = 'audit_head'"))
    with store.write() as conn, pytest.raises(IntegrityFailure, match="head is missing"):
        append(conn, entry(), now)


def _fill_for_queries(store: Store, now: datetime) -> None:
    with store.write() as conn:
        append(conn, entry(actor="member:m_a", item_id="i1"), now)
        append(conn, entry(actor="member:m_b", item_id="i2"), now + timedelta(hours=1))
        append(
            conn,
            entry(actor="peer:n_x", item_id="i1", action=AuditAction.CONSULTATION),
            now + timedelta(hours=2),
        )
        append(conn, entry(actor="system", item_id=None, action=AuditAction.LOGIN), now)


@pytest.mark.parametrize(
    ("filters", "seqs"),
    [
        ({}, [1, 2, 3, 4]),
        ({"actor": "member:m_a"}, [1]),
        ({"item_id": "i1"}, [1, 3]),
        ({"since": timedelta(hours=1)}, [2, 3]),
        ({"until": timedelta(hours=1)}, [1, 4]),  # until is exclusive
        ({"since": timedelta(hours=1), "until": timedelta(hours=2)}, [2]),
        ({"item_id": "i1", "actor": "peer:n_x"}, [3]),
        ({"actor": "member:nobody"}, []),
    ],
)
def test_export_filters(
    store: Store, now: datetime, filters: dict[str, Any], seqs: list[int]
) -> None:
    _fill_for_queries(store, now)
    args: dict[str, Any] = {
        k: now + v if isinstance(v, timedelta) else v for k, v in filters.items()
    }
    with store.read() as conn:
        rows = list(export(conn, **args))
    assert [r["seq"] for r in rows] == seqs


def test_list_entries_pages_newest_first_with_filters(store: Store, now: datetime) -> None:
    _fill_for_queries(store, now)
    with store.read() as conn:
        assert [r["seq"] for r in list_entries(conn, None, 2, 0)] == [4, 3]
        assert [r["seq"] for r in list_entries(conn, None, 2, 2)] == [2, 1]
        only = list_entries(conn, AuditFilter(action=AuditAction.CONSULTATION), 10, 0)
        assert [(r["seq"], r["actor"]) for r in only] == [(3, "peer:n_x")]
        assert list_entries(conn, AuditFilter(item_id="i2"), 10, 0)[0]["details"] == {
            "kind": "alert"
        }


@pytest.mark.parametrize(
    ("filters", "limit", "offset"),
    [
        (None, 0, 0),
        (None, 1001, 0),
        (None, 10, -1),
        (AuditFilter(since=datetime(2026, 1, 1)), 10, 0),
    ],
)
def test_list_entries_rejects_bad_paging(
    store: Store, filters: AuditFilter | None, limit: int, offset: int
) -> None:
    with store.read() as conn, pytest.raises(BadInput):
        list_entries(conn, filters, limit, offset)
