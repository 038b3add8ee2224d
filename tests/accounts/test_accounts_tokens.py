"""API tokens: creation rules, hashing at rest, authentication, expiry, revocation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select

from csnet.accounts import (
    Member,
    authenticate_token,
    create_token,
    disable_member,
    list_tokens,
    revoke_token,
)
from csnet.accounts.members import get_member
from csnet.accounts.tokens import TokenInfo, check_token, needs_touch, touch
from csnet.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from csnet.handling.roles import Role
from csnet.store.engine import Store
from csnet.store.tables import api_tokens

NewMember = Callable[..., tuple[Member, str]]


def test_create_token_returns_a_prefixed_secret_stored_only_as_sha256(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, _ = new_member()
    with store.write() as conn:
        info, secret = create_token(conn, member.id, "nightly import", ["write", "read"], now, 30)
        rows = conn.execute(select(api_tokens)).all()
    assert re.fullmatch(r"csn_[A-Za-z0-9_-]{43}", secret)
    assert re.fullmatch(r"t_[A-Za-z0-9_-]{20}", info.id)
    assert (info.member_id, info.name, info.scopes) == (
        member.id,
        "nightly import",
        ("read", "write"),
    )
    assert (info.created, info.expires, info.revoked, info.last_used) == (
        now,
        now + timedelta(days=30),
        None,
        None,
    )
    assert len(rows) == 1
    assert secret not in " ".join(str(v) for v in rows[0])
    assert secret[4:] not in " ".join(str(v) for v in rows[0])
    assert rows[0].token_hash == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize(
    ("name", "scopes", "days", "match"),
    [
        ("ok", [], 30, "scopes"),
        ("ok", ["delete"], 30, "scopes"),
        ("ok", ["read", "root"], 30, "scopes"),
        ("ok", "read", 30, "scopes"),
        ("", ["read"], 30, "name"),
        ("x" * 101, ["read"], 30, "name"),
        ("ok", ["read"], 0, "lifetime"),
        ("ok", ["read"], 3651, "lifetime"),
    ],
)
def test_create_token_rules(
    store: Store,
    now: datetime,
    new_member: NewMember,
    name: str,
    scopes: list[str],
    days: int,
    match: str,
) -> None:
    member, _ = new_member()
    with store.write() as conn:
        with pytest.raises(BadInput, match=match):
            create_token(conn, member.id, name, scopes, now, days)
        assert list_tokens(conn, member.id) == []


@pytest.mark.parametrize("scopes", [["read"], ["write"], ["admin"], ["read", "write", "admin"]])
def test_authenticate_returns_member_and_scopes(
    store: Store, now: datetime, new_member: NewMember, scopes: list[str]
) -> None:
    member, _ = new_member(role=Role.ADMIN if "admin" in scopes else Role.OFFICER)
    with store.write() as conn:
        _, secret = create_token(conn, member.id, "t", scopes, now, 1)
        assert authenticate_token(conn, secret, now) == (member, tuple(sorted(scopes)))


def test_check_token_only_reads_and_says_when_to_record_the_use(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, _ = new_member()
    with store.write() as conn:
        _info, secret = create_token(conn, member.id, "t", ["read"], now, 1)
    with store.read() as conn:
        found, info = check_token(conn, secret, now)
    assert found == member and info.last_used is None and needs_touch(info, now)
    with store.write() as conn:
        touch(conn, info.id, now)
    with store.read() as conn:
        _found, info = check_token(conn, secret, now + timedelta(seconds=59))
    assert info.last_used == now and not needs_touch(info, now + timedelta(seconds=59))
    assert needs_touch(info, now + timedelta(minutes=1))


def test_last_used_is_recorded_at_minute_resolution(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, _ = new_member()
    with store.write() as conn:
        _info, secret = create_token(conn, member.id, "t", ["read"], now, 1)
        authenticate_token(conn, secret, now)
        assert list_tokens(conn, member.id)[0].last_used == now
        authenticate_token(conn, secret, now + timedelta(seconds=30))
        assert list_tokens(conn, member.id)[0].last_used == now
        authenticate_token(conn, secret, now + timedelta(minutes=2))
        assert list_tokens(conn, member.id)[0].last_used == now + timedelta(minutes=2)


@pytest.mark.parametrize(
    "case", ["unknown", "garbage", "no_prefix", "huge", "revoked", "expired", "disabled", "empty"]
)
def test_authenticate_refuses(
    store: Store, now: datetime, new_member: NewMember, case: str
) -> None:
    member, _ = new_member()
    new_member("admin", "admin")  # so that alice may be disabled
    with store.write() as conn:
        info, secret = create_token(conn, member.id, "t", ["read"], now, 7)
        when = now
        if case == "revoked":
            revoke_token(conn, info.id, now)
        elif case == "expired":
            when = now + timedelta(days=7)
        elif case == "disabled":
            disable_member(conn, member.id)
        given = {
            "unknown": "csn_" + "A" * 43,
            "garbage": "csn_!!",
            "no_prefix": secret[4:],
            "huge": "csn_" + "A" * 10_000,
            "empty": "",
        }.get(case, secret)
        with pytest.raises(Unauthenticated, match="invalid, revoked or expired API token"):
            authenticate_token(conn, given, when)


def test_token_works_until_just_before_expiry(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, _ = new_member()
    with store.write() as conn:
        _, secret = create_token(conn, member.id, "t", ["read"], now, 7)
        authenticate_token(conn, secret, now + timedelta(days=7) - timedelta(seconds=1))


def test_list_and_revoke(store: Store, now: datetime, new_member: NewMember) -> None:
    alice, _ = new_member()
    bob, _ = new_member("bob")
    with store.write() as conn:
        first, _ = create_token(conn, alice.id, "first", ["read"], now, 7)
        _second, _ = create_token(
            conn, alice.id, "second", ["write"], now + timedelta(seconds=1), 7
        )
        create_token(conn, bob.id, "bob's", ["read"], now, 7)
        assert [t.name for t in list_tokens(conn, alice.id)] == ["first", "second"]
        revoked = revoke_token(conn, first.id, now + timedelta(hours=1))
        assert revoked.revoked == now + timedelta(hours=1)
        again = revoke_token(conn, first.id, now + timedelta(hours=2))
        assert again.revoked == now + timedelta(hours=1)  # idempotent: first time kept
        assert [t.revoked is None for t in list_tokens(conn, alice.id)] == [False, True]
        with pytest.raises(NotFound):
            revoke_token(conn, "t_nothing", now)


def test_tokens_for_unknown_or_disabled_members_are_refused(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, _ = new_member()
    new_member("admin", "admin")
    with store.write() as conn:
        with pytest.raises(NotFound):
            create_token(conn, "m_nobody", "t", ["read"], now, 7)
        disable_member(conn, member.id)
        with pytest.raises(Conflict):
            create_token(conn, member.id, "t", ["read"], now, 7)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_administrators_get_the_admin_scope(
    store: Store, now: datetime, new_member: NewMember, role: Role
) -> None:
    member, _ = new_member(role=role)
    with store.write() as conn:
        with pytest.raises(Forbidden) as raised:
            create_token(conn, member.id, "t", ["read", "admin"], now, 1)
        assert raised.value.error_code == "scope_denied"
        assert list_tokens(conn, member.id) == []


def _check_by_two_reads(conn: Connection, secret: str, now: datetime) -> tuple[Member, TokenInfo]:
    """The plain reference: the token by its hash, then its member, as two reads."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == digest)).first()
    if row is None:
        raise Unauthenticated("unknown")
    info = next(t for t in list_tokens(conn, row.member_id) if t.id == row.id)
    member = get_member(conn, info.member_id)
    if info.revoked is not None or info.expires <= now or member.disabled:
        raise Unauthenticated("refused")
    return member, info


def _outcome(check: Callable[..., Any], store: Store, secret: str, now: datetime) -> object:
    with store.read() as conn:
        try:
            return check(conn, secret, now)
        except Unauthenticated:
            return "refused"


def test_check_token_reads_token_and_member_in_one_statement_as_two_reads_would(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    alice, _ = new_member("alice")
    bob, _ = new_member("bob", Role.SUPERVISOR)
    with store.write() as conn:
        live = create_token(conn, alice.id, "live", ["read"], now, 30)[1]
        short = create_token(conn, alice.id, "short", ["read", "write"], now, 1)[1]
        revoked_info, revoked = create_token(conn, alice.id, "revoked", ["read"], now, 30)
        revoke_token(conn, revoked_info.id, now)
        bobs = create_token(conn, bob.id, "bob's", ["write"], now, 30)[1]
    secrets = [live, short, revoked, bobs, "csn_unknown", live + "x"]
    for at in (now, now + timedelta(days=2)):
        for secret in secrets:
            assert _outcome(check_token, store, secret, at) == _outcome(
                _check_by_two_reads, store, secret, at
            )
    with store.write() as conn:
        disable_member(conn, bob.id)
    assert _outcome(check_token, store, bobs, now) == "refused"
    assert _outcome(_check_by_two_reads, store, bobs, now) == "refused"
