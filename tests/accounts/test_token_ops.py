"""The API token service: one transaction and one audit shape per change, whoever acts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.accounts import token_ops
from csnet.accounts.session_ops import Credentials
from csnet.audit import AuditAction, AuditFilter, list_entries
from csnet.errors import BadInput, CsnetError, Forbidden, NotFound, Unauthenticated
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import api_tokens, audit_log
from tests.factories import PASSWORD, add_member, totp_now

HOST = "host:test"


def _entries(node: Node, action: AuditAction = AuditAction.TOKEN_CHANGE) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter(action=action))


def _counts(node: Node) -> tuple[int, int]:
    with node.store.read() as conn:
        held = conn.execute(select(func.count()).select_from(api_tokens)).scalar_one()
        logged = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    return held, logged


def test_create_stores_the_token_and_audits_owner_token_and_scopes(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    info, secret = token_ops.create(node, HOST, member.id, name="laptop", scopes=["write", "read"])
    assert secret.startswith("csn_") and info.scopes == ("read", "write")
    assert (info.expires - info.created).days == int(node.settings.token_days)
    assert [t.id for t in token_ops.list_of(node, member.id)] == [info.id]
    [entry] = _entries(node)
    assert (entry["actor"], entry["action"]) == (HOST, "token_change")
    assert entry["details"] == {
        "member": member.id,
        "token": info.id,
        "change": "created",
        "scopes": ["read", "write"],
    }


@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"name": " "}, BadInput),
        ({"scopes": ["root"]}, BadInput),
        ({"days": 5000}, BadInput),
        ({"scopes": ["admin"]}, Forbidden),  # an officer may not hold it
        ({"within": ["read"]}, Forbidden),  # more than the creating credential holds
    ],
)
def test_a_refused_creation_stores_neither_token_nor_audit_entry(
    node: Node, overrides: dict[str, Any], refusal: type[CsnetError]
) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    given: dict[str, Any] = {"name": "laptop", "scopes": ["read", "write"], **overrides}
    before = _counts(node)
    with pytest.raises(refusal):
        token_ops.create(node, HOST, member.id, **given)
    assert _counts(node) == before


def test_the_role_rule_answers_before_the_creators_scopes(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    with pytest.raises(Forbidden, match="only node administrators"):
        token_ops.create(
            node, HOST, member.id, name="laptop", scopes=["admin"], within=["read", "write"]
        )
    with pytest.raises(Forbidden, match="more than its creator holds"):
        token_ops.create(node, HOST, member.id, name="laptop", scopes=["write"], within=["read"])


def test_a_creation_whose_audit_entry_fails_is_undone(node: Node) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    before = _counts(node)
    with pytest.raises(BadInput):  # why: the log refuses the actor after the token's insert
        token_ops.create(node, "not an actor", member.id, name="laptop", scopes=["read"])
    assert _counts(node) == before


def test_revoke_by_its_owner_is_audited_and_anyone_elses_is_not_found(node: Node) -> None:
    amina, _ = add_member(node, "amina", Role.OFFICER)
    bilal, _ = add_member(node, "bilal", Role.OFFICER)
    info, _ = token_ops.create(node, HOST, amina.id, name="laptop", scopes=["read"])
    before = _counts(node)
    with pytest.raises(NotFound):
        token_ops.revoke(node, f"member:{bilal.id}", info.id, owner=bilal.id)
    assert _counts(node) == before
    revoked = token_ops.revoke(node, f"member:{amina.id}", info.id, owner=amina.id)
    assert revoked.revoked is not None
    entry = _entries(node)[0]
    assert entry["actor"] == f"member:{amina.id}"
    assert entry["details"] == {"member": amina.id, "token": info.id, "change": "revoked"}


def test_revoke_without_an_owner_names_the_owner_and_refuses_an_unknown_token(
    node: Node,
) -> None:
    member, _ = add_member(node, "amina", Role.OFFICER)
    info, _ = token_ops.create(node, HOST, member.id, name="laptop", scopes=["read"])
    token_ops.revoke(node, HOST, info.id)
    assert _entries(node)[0]["details"]["member"] == member.id
    before = _counts(node)
    with pytest.raises(NotFound):
        token_ops.revoke(node, HOST, "t_ghost")
    assert _counts(node) == before


def test_log_in_for_token_audits_the_login_and_the_token_as_the_member(node: Node) -> None:
    member, secret = add_member(node, "amina", Role.OFFICER)
    given = Credentials("amina", PASSWORD, totp_now(secret))
    info, _ = token_ops.log_in_for_token(node, given, "10.0.0.1", name="cli", scopes=["read"])
    [login] = _entries(node, AuditAction.LOGIN)
    assert login["details"] == {"client": "10.0.0.1"}
    [made] = _entries(node)
    assert made["actor"] == login["actor"] == f"member:{member.id}"
    assert made["details"] == {
        "member": member.id,
        "token": info.id,
        "change": "created",
        "scopes": ["read"],
    }


def test_log_in_for_token_with_a_wrong_code_makes_no_token(node: Node) -> None:
    add_member(node, "amina", Role.OFFICER)
    with pytest.raises(Unauthenticated):
        token_ops.log_in_for_token(
            node, Credentials("amina", PASSWORD, "no code"), "10.0.0.1", name="cli", scopes=["read"]
        )
    assert _counts(node)[0] == 0 and not _entries(node)
    assert len(_entries(node, AuditAction.LOGIN_FAILED)) == 1
