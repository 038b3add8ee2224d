"""Reading the audit log through its service: pages, the chain check, exports, the length."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from csnet.audit import AuditAction, AuditEntry, AuditFilter, append, reading
from csnet.errors import BadInput
from csnet.node import Node
from csnet.store.tables import audit_log


def _log(node: Node, *actors: str) -> None:
    with node.store.write() as conn:
        for actor in actors:
            append(conn, AuditEntry(actor=actor, action=AuditAction.LOGIN), node.now())


def test_an_empty_log_reads_empty_and_intact(node: Node) -> None:
    assert reading.length(node) == 0
    assert reading.entries(node) == [] and reading.export_rows(node) == []
    report = reading.check_chain(node)
    assert report.ok and report.rows == 0


def test_entries_are_paged_newest_first_and_filtered(node: Node) -> None:
    _log(node, "member:m_a", "member:m_b", "member:m_a")
    assert reading.length(node) == 3
    assert [e["seq"] for e in reading.entries(node, limit=2)] == [3, 2]
    assert [e["seq"] for e in reading.entries(node, limit=2, offset=2)] == [1]
    only_a = reading.entries(node, AuditFilter(actor="member:m_a"))
    assert [e["seq"] for e in only_a] == [3, 1]
    with pytest.raises(BadInput):
        reading.entries(node, limit=0)


def test_export_rows_come_in_chain_order_within_the_window(node: Node) -> None:
    _log(node, "member:m_a", "member:m_b")
    rows = reading.export_rows(node)
    assert [r["seq"] for r in rows] == [1, 2] and rows[1]["prev_hash"] == rows[0]["hash"]
    assert [r["actor"] for r in reading.export_rows(node, actor="member:m_b")] == ["member:m_b"]
    assert reading.export_rows(node, since=node.now() + timedelta(seconds=1)) == []


def test_check_chain_names_an_altered_row(node: Node) -> None:
    _log(node, "member:m_a", "member:m_b")
    with node.store.write() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 1).values(actor="member:m_x"))
    report = reading.check_chain(node)
    assert not report.ok and [p.seq for p in report.problems][:1] == [1]
