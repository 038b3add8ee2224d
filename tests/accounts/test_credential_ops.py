"""A member's own credentials and profile through their services: the password, the second
factor and the language; each change in one transaction with its audit entry (if any)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.accounts import credentials, profile_ops, session_ops, token_ops, totp
from csnet.accounts.members import get_member
from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.errors import BadInput, NotFound
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import audit_log, members
from tests.factories import PASSWORD, add_member, token_for

NEW_PASSWORD = "a different, longer passphrase"


def _changes(node: Node) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter(action=AuditAction.MEMBER_CHANGE))


def _logged(node: Node) -> int:
    with node.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _totp_secret(node: Node, member_id: str) -> str:
    with node.store.read() as conn:
        query = select(members.c.totp_secret).where(members.c.id == member_id)
        return str(conn.execute(query).scalar_one())


def test_a_password_change_is_audited_with_what_it_revoked(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    token_for(node, member)
    revoked = credentials.change_password(node, member.id, PASSWORD, NEW_PASSWORD)
    assert revoked.tokens_revoked == 1
    [entry] = _changes(node)
    assert entry["actor"] == f"member:{member.id}"
    assert entry["details"] == {
        "member": member.id,
        "change": "password changed",
        "tokens": "1 revoked",
    }


def test_re_enrolling_the_second_factor_switches_the_secret_and_audits_it(node: Node) -> None:
    member, old = add_member(node, "amina", Role.OFFICER)
    new = totp.new_secret()
    credentials.re_enrol_totp(node, member.id, new, totp.code_at(new, node.now()))
    assert _totp_secret(node, member.id) == new != old
    [entry] = _changes(node)
    assert entry["actor"] == f"member:{member.id}"
    assert entry["details"] == {"member": member.id, "change": "second factor re-enrolled"}


def test_a_wrong_code_keeps_the_old_secret_and_logs_nothing(node: Node) -> None:
    member, old = add_member(node, "amina", Role.OFFICER)
    new = totp.new_secret()
    stale = totp.code_at(new, node.now() - timedelta(minutes=5))
    with pytest.raises(BadInput):
        credentials.re_enrol_totp(node, member.id, new, stale)
    assert _totp_secret(node, member.id) == old and _logged(node) == 0


def test_the_language_is_set_without_an_audit_entry_and_checked(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    assert profile_ops.set_language(node, member.id, "ur").language == "ur"
    with pytest.raises(BadInput):
        profile_ops.set_language(node, member.id, "Urdu!")
    with pytest.raises(NotFound):
        profile_ops.set_language(node, "m_ghost", "fr")
    with node.store.read() as conn:
        assert get_member(conn, member.id).language == "ur"
    assert _logged(node) == 0


def test_access_shows_the_tokens_and_when_this_session_ends(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    info, _ = token_ops.create(node, "host:test", member.id, name="laptop", scopes=["read"])
    lifetime = timedelta(hours=int(node.settings.session_hours))
    before = node.now()
    session_id, _csrf = session_ops.start_session(node, member.id)
    held = profile_ops.access(node, member.id, session_id)
    assert [t.id for t in held.tokens] == [info.id]
    assert held.session_expires is not None
    assert before + lifetime <= held.session_expires <= node.now() + lifetime
    assert profile_ops.access(node, member.id, "no such session").session_expires is None
