"""The member administration service: one transaction and one audit shape per action."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.accounts import member_ops, tokens
from csnet.accounts.members import get_member
from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.errors import BadInput, Conflict, CsnetError, NotFound
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import audit_log, members
from tests.factories import PASSWORD, add_member, token_for

HOST = "host:test"
ROOT = "member:m_root"


def _changes(node: Node) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter(action=AuditAction.MEMBER_CHANGE))


def _counts(node: Node) -> tuple[int, int]:
    with node.store.read() as conn:
        held = conn.execute(select(func.count()).select_from(members)).scalar_one()
        logged = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    return held, logged


def _add(node: Node, actor: str = HOST, **overrides: str) -> tuple[Any, str]:
    given = {"username": "yusuf", "display_name": "Yusuf", "role": "analyst", "password": PASSWORD}
    given.update(overrides)
    return member_ops.add(node, actor, **given)


def test_add_stores_the_member_hashed_by_the_node_and_audits_once(node: Node) -> None:
    member, secret = _add(node)
    assert (member.username, member.role) == ("yusuf", Role.ANALYST) and len(secret) == 32
    with node.store.read() as conn:
        stored = conn.execute(select(members.c.password_hash)).scalar_one()
    assert node.hasher.verify(stored, PASSWORD)
    assert f"m={node.hasher.memory_cost}," in stored  # why: the node's hasher, no other
    [entry] = _changes(node)
    assert entry["actor"] == HOST
    assert entry["details"] == {"member": member.id, "change": "added as analyst"}


@pytest.mark.parametrize(
    ("field", "value", "refusal"),
    [
        ("username", "No Spaces", BadInput),
        ("display_name", " ", BadInput),
        ("role", "king", BadInput),
        ("password", "short", BadInput),
        ("username", "taken", Conflict),
    ],
)
def test_a_refused_add_stores_neither_member_nor_audit_entry(
    node: Node, field: str, value: str, refusal: type[CsnetError]
) -> None:
    add_member(node, "taken", Role.OFFICER)
    before = _counts(node)
    with pytest.raises(refusal):
        _add(node, **{field: value})
    assert _counts(node) == before


def test_an_add_whose_audit_entry_fails_is_undone(node: Node) -> None:
    before = _counts(node)
    with pytest.raises(BadInput):
        _add(node, actor="not an actor")  # why: refused by the log after the member's insert
    assert _counts(node) == before


def test_disable_revokes_tokens_unless_kept_and_says_which(node: Node) -> None:
    first, _ = add_member(node, "amina", Role.OFFICER)
    second, _ = add_member(node, "bilal", Role.OFFICER)
    token_for(node, first)
    token_for(node, second)
    member, ended = member_ops.disable(node, ROOT, first.id)
    assert member.disabled and ended.tokens_revoked == 1
    _, ended = member_ops.disable(node, ROOT, second.id, revoke_tokens=False)
    assert ended.tokens_revoked == 0
    with node.store.read() as conn:
        assert [t.revoked for t in tokens.list_tokens(conn, second.id)] == [None]
    details = [e["details"] for e in reversed(_changes(node))]
    assert details == [
        {"member": first.id, "change": "disabled", "tokens": "1 revoked"},
        {"member": second.id, "change": "disabled", "tokens": "kept"},
    ]


def test_enable_and_set_role_are_audited(node: Node) -> None:
    officer, _ = add_member(node, "amina", Role.OFFICER)
    member_ops.disable(node, ROOT, officer.id)
    assert not member_ops.enable(node, ROOT, officer.id).disabled
    assert member_ops.set_role(node, ROOT, officer.id, "analyst").role is Role.ANALYST
    assert [(e["actor"], e["details"]) for e in _changes(node)[:2]] == [
        (ROOT, {"member": officer.id, "change": "role set to analyst"}),
        (ROOT, {"member": officer.id, "change": "enabled"}),
    ]


def test_the_last_enabled_administrator_is_kept_and_nothing_audited(node: Node) -> None:
    admin, _ = add_member(node, "root", Role.ADMIN)
    before = _counts(node)
    for change in (
        lambda: member_ops.disable(node, ROOT, admin.id),
        lambda: member_ops.set_role(node, ROOT, admin.id, Role.OFFICER),
    ):
        with pytest.raises(Conflict) as refused:
            change()
        assert refused.value.error_code == "last_admin"
    assert _counts(node) == before
    with node.store.read() as conn:
        kept = get_member(conn, admin.id)
    assert kept.role is Role.ADMIN and not kept.disabled


def test_a_bad_role_or_an_unknown_member_changes_nothing(node: Node) -> None:
    officer, _ = add_member(node, "amina", Role.OFFICER)
    before = _counts(node)
    with pytest.raises(BadInput):
        member_ops.set_role(node, ROOT, officer.id, "king")
    for change in (member_ops.disable, member_ops.enable):
        with pytest.raises(NotFound):
            change(node, ROOT, "m_ghost")
    with pytest.raises(NotFound):
        member_ops.set_role(node, ROOT, "m_ghost", Role.ANALYST)
    assert _counts(node) == before


def test_listing_and_find_read_the_members(node: Node) -> None:
    amina, _ = add_member(node, "amina", Role.OFFICER)
    bilal, _ = add_member(node, "bilal", Role.OFFICER)
    member_ops.disable(node, ROOT, bilal.id)
    assert [m.username for m in member_ops.listing(node)] == ["amina"]
    every = member_ops.listing(node, include_disabled=True)
    assert [(m.username, m.disabled) for m in every] == [("amina", False), ("bilal", True)]
    assert member_ops.find(node, "amina") == amina
    with pytest.raises(NotFound):
        member_ops.find(node, "nobody")
