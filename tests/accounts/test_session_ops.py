"""The login and session service: every attempt is audited, a failure after its counters and
its log line are committed; sessions start, resolve and end."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from csnet.accounts import session_ops
from csnet.accounts.session_ops import Credentials
from csnet.audit import AuditFilter, list_entries
from csnet.errors import RateLimited, Unauthenticated
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.store.tables import web_sessions
from tests.factories import PASSWORD, add_member, totp_now

CLIENT = "192.0.2.7"


def _log(node: Node) -> list[dict[str, Any]]:
    with node.store.read() as conn:
        return list_entries(conn, AuditFilter())


def _sessions(node: Node) -> int:
    with node.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(web_sessions)).scalar_one())


def test_a_login_is_audited_as_the_member_with_the_client(node: Node) -> None:
    member, secret = add_member(node, "amina", Role.OFFICER)
    assert (
        session_ops.log_in(node, Credentials("amina", PASSWORD, totp_now(secret)), CLIENT) == member
    )
    [entry] = _log(node)
    assert (entry["actor"], entry["action"]) == (f"member:{member.id}", "login")
    assert entry["details"] == {"client": CLIENT}


def test_a_failed_login_is_audited_and_committed_before_it_is_raised(node: Node) -> None:
    add_member(node, "amina", Role.OFFICER)
    with pytest.raises(Unauthenticated):
        session_ops.log_in(node, Credentials("amina", "wrong password!", "123456"), CLIENT)
    [entry] = _log(node)
    assert (entry["actor"], entry["action"]) == ("username:amina", "login_failed")
    assert entry["details"] == {"client": CLIENT}


def test_a_locked_login_is_audited_as_a_failure_too(node: Node) -> None:
    add_member(node, "amina", Role.OFFICER)
    threshold = int(node.settings.lockout_threshold)
    refusals: list[type[Exception]] = []
    for _ in range(threshold + 1):
        with pytest.raises((Unauthenticated, RateLimited)) as refused:
            session_ops.log_in(node, Credentials("amina", "wrong password!", "1"), CLIENT)
        refusals.append(type(refused.value))
    assert refusals[-1] is RateLimited
    assert {e["action"] for e in _log(node)} == {"login_failed"}
    assert len(_log(node)) == threshold + 1


def test_open_resolve_and_end_a_session(node: Node) -> None:
    member, secret = add_member(node, "amina", Role.OFFICER)
    opened = session_ops.open_session(
        node, Credentials("amina", PASSWORD, totp_now(secret)), CLIENT
    )
    assert opened.member == member and _sessions(node) == 1
    assert session_ops.resolve(node, opened.session_id) == (member, opened.csrf)
    session_ops.end_session(node, opened.session_id)
    session_ops.end_session(node, opened.session_id)  # why: ending it twice is no error
    assert _sessions(node) == 0
    with pytest.raises(Unauthenticated):
        session_ops.resolve(node, opened.session_id)


def test_a_failed_login_opens_no_session(node: Node) -> None:
    add_member(node, "amina", Role.OFFICER)
    with pytest.raises(Unauthenticated):
        session_ops.open_session(node, Credentials("amina", PASSWORD, "no code"), CLIENT)
    assert _sessions(node) == 0
