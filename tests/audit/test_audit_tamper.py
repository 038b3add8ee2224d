"""Each kind of tampering with the audit table is detected and named, via raw SQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text

from csnet.audit import AuditAction, AuditEntry, append_many, verify
from csnet.audit.entries import build_row, format_at, normalise, row_hash
from csnet.store.engine import Store
from csnet.store.tables import audit_log

N = 10


def _entries(n: int) -> list[AuditEntry]:
    return [
        AuditEntry(
            actor=f"member:m_{i % 3}",
            action=AuditAction.CONSULTATION,
            item_id=f"item{i}",
            justification=f"case {i}",
            recipients=("node:b",),
            details={"i": i},
            personal_data=True,
        )
        for i in range(1, n + 1)
    ]


@pytest.fixture
def chain(store: Store, now: datetime) -> Store:
    with store.write() as conn:
        for i, e in enumerate(_entries(N)):
            append_many(conn, [e], now + timedelta(minutes=i))
    return store


def sql(store: Store, *statements: str, **params: Any) -> None:
    with store.write() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def problems(store: Store) -> list[tuple[int, str]]:
    with store.read() as conn:
        report = verify(conn)
    assert report.ok is (not report.problems)
    return [(p.seq, p.kind) for p in report.problems]


def messages(store: Store) -> list[str]:
    with store.read() as conn:
        return [p.message for p in verify(conn).problems]


def row(conn: Connection, seq: int) -> dict[str, Any]:
    return dict(conn.execute(select(audit_log).where(audit_log.c.seq == seq)).one()._mapping)


def forge(conn: Connection, seq: int, prev_hash: str, now: datetime) -> None:
    """Insert a self-consistent row, as a forger who knows the hashing rule would."""
    fields = normalise(AuditEntry(actor="member:m_evil", action=AuditAction.ERASURE, item_id="x"))
    conn.execute(insert(audit_log).values(build_row(fields, seq, format_at(now), prev_hash)))


def rehash(conn: Connection, seq: int) -> None:
    """Recompute the stored hash of a row from its (changed) contents."""
    conn.execute(
        text("UPDATE audit_log SET hash = :h WHERE seq = :s"),
        {"h": row_hash(row(conn, seq)), "s": seq},
    )


def test_untouched_chain_is_ok(chain: Store) -> None:
    assert problems(chain) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "member:m_someone_else"),
        ("action", "collection"),
        ("item_id", "another"),
        ("item_id", None),
        ("justification", "a better-sounding reason"),
        ("justification", None),
        ("recipients", '["node:b","node:c"]'),
        ("recipients", '[ "node:b" ]'),  # same list, not canonical text
        ("details", '{"i":99}'),
        ("details", "not json"),
        ("at", "2020-01-01T00:00:00.000000Z"),
        ("prev_hash", "f" * 64),
        ("hash", "e" * 64),
    ],
)
@pytest.mark.parametrize("seq", [1, 5, N])
def test_changed_field_is_named(chain: Store, column: str, value: Any, seq: int) -> None:
    sql(chain, f"UPDATE audit_log SET {column} = :v WHERE seq = :s", v=value, s=seq)
    assert problems(chain) == [(seq, "altered")]
    assert messages(chain) == [f"row {seq} was altered: stored hash does not match its contents"]


@pytest.mark.parametrize("seq", [1, 5, N])
def test_changed_and_rehashed_row_is_named(chain: Store, seq: int) -> None:
    with chain.write() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'system' WHERE seq = :s"), {"s": seq})
        rehash(conn, seq)
    assert problems(chain) == [(seq, "altered")]
    assert f"row {seq} was altered" in messages(chain)[0]


@pytest.mark.parametrize(
    ("where", "expected", "message"),
    [
        ("seq = 5", [(5, "removed")], "row 5 was removed: the chain skips from row 4"),
        ("seq BETWEEN 4 AND 6", [(4, "removed")], "rows 4–6 were removed"),
        ("seq = 1", [(1, "removed")], "row 1 was removed"),
        ("seq IN (3, 7)", [(3, "removed"), (7, "removed")], "row 3 was removed"),
    ],
)
def test_deleted_rows_in_the_middle_are_named(
    chain: Store, where: str, expected: list[tuple[int, str]], message: str
) -> None:
    sql(chain, f"DELETE FROM audit_log WHERE {where}")
    assert problems(chain) == expected
    assert messages(chain)[0].startswith(message)


@pytest.mark.parametrize(
    ("where", "expected", "message"),
    [
        ("seq = 10", [(10, "truncated")], "row 10 was removed from the end"),
        ("seq >= 8", [(8, "truncated")], "rows 8–10 were removed from the end"),
        ("seq >= 1", [(1, "truncated")], "rows 1–10 were removed from the end"),
    ],
)
def test_deleted_tail_is_named(
    chain: Store, where: str, expected: list[tuple[int, str]], message: str
) -> None:
    sql(chain, f"DELETE FROM audit_log WHERE {where}")
    assert problems(chain) == expected
    assert messages(chain)[0].startswith(message)


def test_missing_head_is_reported(chain: Store) -> None:
    sql(chain, "DELETE FROM node_meta WHERE key = 'audit_head'")
    assert problems(chain) == [(N, "truncated")]
    assert "head is missing" in messages(chain)[0]


def test_unreadable_head_is_reported(chain: Store) -> None:
    sql(chain, "UPDATE node_meta SET value = 'garbage' WHERE key = 'audit_head'")
    assert (0, "altered") in problems(chain)


def test_head_pointing_at_an_earlier_row_is_reported(chain: Store) -> None:
    with chain.write() as conn:
        h9 = row(conn, 9)["hash"]
        conn.execute(
            text("UPDATE node_meta SET value = :v WHERE key = 'audit_head'"),
            {"v": f'{{"hash":"{h9}","seq":10}}'},
        )
    assert problems(chain) == [(N, "altered")]
    assert "head" in messages(chain)[0]


def test_forged_row_appended_after_the_head_is_named(chain: Store, now: datetime) -> None:
    with chain.write() as conn:
        forge(conn, N + 1, row(conn, N)["hash"], now)
    assert problems(chain) == [(N + 1, "inserted")]
    assert messages(chain) == ["row 11 was inserted: after the end of the chain (head is row 10)"]


@pytest.mark.parametrize("seq", [0, 50])
def test_forged_row_with_a_fresh_seq_is_named(chain: Store, now: datetime, seq: int) -> None:
    with chain.write() as conn:
        forge(conn, seq, row(conn, 3)["hash"] if seq else "0" * 64, now)
    assert problems(chain) == [(seq, "inserted")]


def test_forged_row_with_fresh_seq_and_updated_head_is_named(chain: Store, now: datetime) -> None:
    with chain.write() as conn:
        forge(conn, 50, row(conn, N)["hash"], now)
        conn.execute(
            text("UPDATE node_meta SET value = :v WHERE key = 'audit_head'"),
            {"v": f'{{"hash":"{row(conn, 50)["hash"]}","seq":50}}'},
        )
    assert (50, "inserted") in problems(chain)


def test_forged_row_inserted_by_renumbering_is_named(chain: Store, now: datetime) -> None:
    # Two steps, so that PostgreSQL's immediate unique check never sees a duplicate seq.
    sql(
        chain,
        "UPDATE audit_log SET seq = -seq WHERE seq >= 5",
        "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0",
    )
    with chain.write() as conn:
        forge(conn, 5, row(conn, 4)["hash"], now)
    assert problems(chain) == [(5, "inserted"), (6, "reordered")]
    assert messages(chain) == [
        "row 5 was inserted: no row links to it, and row 6 is the original row 5",
        "rows 6–11 were renumbered: originally rows 5–10",
    ]


def test_deleted_row_with_renumbering_is_named(chain: Store) -> None:
    sql(
        chain,
        "DELETE FROM audit_log WHERE seq = 5",
        "UPDATE audit_log SET seq = -seq WHERE seq > 5",
        "UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0",
    )
    assert problems(chain) == [(5, "removed"), (5, "reordered")]
    assert messages(chain)[1] == "rows 5–9 were renumbered: originally rows 6–10"


def test_swapped_rows_are_named(chain: Store) -> None:
    sql(
        chain,
        "UPDATE audit_log SET seq = -1 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = 6",
        "UPDATE audit_log SET seq = 6 WHERE seq = -1",
    )
    assert problems(chain) == [(5, "reordered"), (6, "reordered")]
    assert messages(chain) == [
        "row 5 was renumbered: originally row 6",
        "row 6 was renumbered: originally row 5",
    ]


def test_row_moved_far_away_is_named(chain: Store) -> None:
    sql(chain, "UPDATE audit_log SET seq = 100 WHERE seq = 5")
    assert problems(chain) == [(100, "reordered")]
    assert messages(chain) == ["row 100 was renumbered: originally row 5"]


def test_long_chain_streams_and_names_a_deep_deletion(store: Store, now: datetime) -> None:
    entries = _entries(1) * 5000
    with store.write() as conn:
        for start in range(0, len(entries), 1000):
            append_many(conn, entries[start : start + 1000], now)
    sql(store, "DELETE FROM audit_log WHERE seq = 4321")
    with store.read() as conn:
        report = verify(conn)
    assert report.rows == 4999
    assert [(p.seq, p.kind) for p in report.problems] == [(4321, "removed")]
