"""Web sessions: hashed ids, expiry, logout, disabled members, signed cookies and CSRF."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from csnet.accounts import (
    Member,
    check_csrf,
    create_session,
    disable_member,
    end_member_sessions,
    end_session,
    purge_expired_sessions,
    resolve_session,
    sign_session_id,
    unsign_session_id,
)
from csnet.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from csnet.store.engine import Store
from csnet.store.tables import web_sessions

NewMember = Callable[..., tuple[Member, str]]
COOKIE_SECRET = "cookie-secret-of-this-node"


def test_session_round_trip_stores_only_the_hash(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, _ = new_member()
    with store.write() as conn:
        sid, csrf = create_session(conn, member.id, now, 12)
        row = conn.execute(select(web_sessions)).one()
    assert sid != csrf and len(sid) >= 43 and len(csrf) >= 43
    assert sid not in " ".join(str(v) for v in row)
    assert row.id_hash == hashlib.sha256(sid.encode()).hexdigest()
    with store.read() as conn:
        assert resolve_session(conn, sid, now + timedelta(hours=11)) == (member, csrf)


@pytest.mark.parametrize("case", ["expired", "ended", "unknown", "empty", "disabled", "all_ended"])
def test_resolve_refuses(store: Store, now: datetime, new_member: NewMember, case: str) -> None:
    member, _ = new_member()
    new_member("admin", "admin")
    with store.write() as conn:
        sid, _ = create_session(conn, member.id, now, 12)
        when = now + timedelta(hours=12) if case == "expired" else now
        if case == "ended":
            end_session(conn, sid)
        elif case == "all_ended":
            assert end_member_sessions(conn, member.id) == 1
        elif case == "disabled":
            disable_member(conn, member.id)
        given = {"unknown": "x" * 43, "empty": ""}.get(case, sid)
        with pytest.raises(Unauthenticated):
            resolve_session(conn, given, when)


def test_session_creation_rules(store: Store, now: datetime, new_member: NewMember) -> None:
    member, _ = new_member()
    new_member("admin", "admin")
    with store.write() as conn:
        for hours in (0, -1, 24 * 30 + 1):
            with pytest.raises(BadInput):
                create_session(conn, member.id, now, hours)
        with pytest.raises(NotFound):
            create_session(conn, "m_nobody", now, 1)
        disable_member(conn, member.id)
        with pytest.raises(Conflict):
            create_session(conn, member.id, now, 1)


def test_end_session_is_idempotent(store: Store, now: datetime, new_member: NewMember) -> None:
    member, _ = new_member()
    with store.write() as conn:
        sid, _ = create_session(conn, member.id, now, 1)
        end_session(conn, sid)
        end_session(conn, sid)
        end_session(conn, "never existed")


def test_purge_expired_sessions(store: Store, now: datetime, new_member: NewMember) -> None:
    member, _ = new_member()
    with store.write() as conn:
        short, _ = create_session(conn, member.id, now, 1)
        long, _ = create_session(conn, member.id, now, 10)
        assert purge_expired_sessions(conn, now + timedelta(minutes=59)) == 0
        assert purge_expired_sessions(conn, now + timedelta(hours=1)) == 1
        resolve_session(conn, long, now + timedelta(hours=2))
        with pytest.raises(Unauthenticated):
            resolve_session(conn, short, now)


def test_cookie_signing_round_trip() -> None:
    value = sign_session_id(COOKIE_SECRET, "the-session-id")
    assert "the-session-id" in value or value  # signed, not encrypted: the id may be visible
    assert unsign_session_id(COOKIE_SECRET, value, max_age=3600) == "the-session-id"


@pytest.mark.parametrize(
    ("mangle", "secret", "max_age"),
    [
        # why: not the last character: its low bits are base64 padding, so A and B can decode alike
        (lambda v: v[:-5] + ("A" if v[-5] != "A" else "B") + v[-4:], COOKIE_SECRET, 3600),
        (lambda v: "x" + v, COOKIE_SECRET, 3600),
        (lambda v: v, "another-node-secret", 3600),
        (lambda v: v, COOKIE_SECRET, -1),  # older than max_age
        (lambda v: "", COOKIE_SECRET, 3600),
        (lambda v: "garbage", COOKIE_SECRET, 3600),
    ],
)
def test_cookie_signing_refuses(mangle: Callable[[str], str], secret: str, max_age: int) -> None:
    value = mangle(sign_session_id(COOKIE_SECRET, "the-session-id"))
    with pytest.raises(Unauthenticated):
        unsign_session_id(secret, value, max_age=max_age)


def test_cookie_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        sign_session_id("", "sid")


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        ("abc123", "abc123", True),
        ("abc123", "abc124", False),
        ("abc123", "abc12", False),
        ("abc123", "", False),
        ("abc123", None, False),
        ("abc123", "äbc123", False),  # non-ASCII must not raise TypeError
        ("", "", False),
    ],
)
def test_check_csrf(expected: str, given: str | None, ok: bool) -> None:
    if ok:
        check_csrf(expected, given)
        return
    with pytest.raises(Forbidden) as caught:
        check_csrf(expected, given)
    assert caught.value.error_code == "csrf_failed"
    assert caught.value.body()["error"]["code"] == "csrf_failed"
