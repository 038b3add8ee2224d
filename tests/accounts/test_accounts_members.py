"""Members: creation rules, look-ups, roles, disabling, and no secrets in clear."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from csnet.accounts import (
    Member,
    add_member,
    create_session,
    disable_member,
    enable_member,
    get_by_username,
    get_member,
    list_members,
    set_role,
)
from csnet.errors import BadInput, Conflict, NotFound
from csnet.handling.roles import Role
from csnet.store.engine import Store
from csnet.store.tables import members, web_sessions

NewMember = Callable[..., tuple[Member, str]]


def test_add_member_returns_member_and_totp_secret(
    store: Store, now: datetime, new_member: NewMember
) -> None:
    member, secret = new_member("alice", Role.ANALYST)
    assert re.fullmatch(r"m_[A-Za-z0-9_-]{20}", member.id)
    assert (member.username, member.display_name, member.role) == ("alice", "Alice", Role.ANALYST)
    assert member.created == now and not member.disabled and member.locked_until is None
    assert len(secret) == 32
    with store.read() as conn:
        assert get_member(conn, member.id) == member
        assert get_by_username(conn, "alice") == member


def test_member_carries_no_secrets() -> None:
    names = {f.name for f in dataclasses.fields(Member)}
    assert not names & {"password_hash", "totp_secret", "failed_logins", "last_totp_step"}


def test_password_and_totp_secret_are_not_stored_in_clear(
    store: Store, new_member: NewMember, password: str
) -> None:
    member, secret = new_member()
    with store.read() as conn:
        row = conn.execute(select(members).where(members.c.id == member.id)).one()
    assert password not in " ".join(str(v) for v in row)
    assert row.password_hash.startswith("$argon2id$")
    # The TOTP secret must be readable to check codes; it is never returned by a look-up.
    assert secret not in repr(member)


@pytest.mark.parametrize(
    ("username", "ok"),
    [
        ("abc", True),
        ("a.b_c-9", True),
        ("x" * 64, True),
        ("ab", False),
        ("x" * 65, False),
        ("Alice", False),
        ("al ice", False),
        ("alice\n", False),
        ("alïce", False),
        ("", False),
    ],
)
def test_username_rules(new_member: NewMember, username: str, ok: bool) -> None:
    if ok:
        assert new_member(username)[0].username == username
    else:
        with pytest.raises(BadInput, match="username"):
            new_member(username)


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"password": "short"}, BadInput, "password"),
        ({"role": "superuser"}, BadInput, "role"),
        ({"display_name": "   "}, BadInput, "display name"),
        ({"display_name": "x" * 201}, BadInput, "display name"),
        ({"username": "alice"}, Conflict, "taken"),
    ],
)
def test_add_member_refusals_store_nothing(
    store: Store,
    now: datetime,
    hasher: PasswordHasher,
    new_member: NewMember,
    password: str,
    changes: dict[str, str],
    error: type[Exception],
    match: str,
) -> None:
    new_member("alice")
    args = {
        "username": "bob",
        "display_name": "Bob",
        "role": "officer",
        "password": password,
        **changes,
    }
    with store.write() as conn:
        with pytest.raises(error, match=match):
            add_member(conn, now=now, hasher=hasher, **args)
        assert [m.username for m in list_members(conn, True)] == ["alice"]


def test_role_may_be_given_as_text(new_member: NewMember) -> None:
    member, _ = new_member("carol", "protection_officer")
    assert member.role is Role.PROTECTION_OFFICER


def test_list_disable_enable_and_set_role(store: Store, new_member: NewMember) -> None:
    admin, _ = new_member("admin", Role.ADMIN)
    bob, _ = new_member("bob")
    carol, _ = new_member("carol")
    with store.write() as conn:
        assert disable_member(conn, bob.id).disabled
        assert [m.username for m in list_members(conn)] == ["admin", "carol"]
        assert [m.username for m in list_members(conn, include_disabled=True)] == [
            "admin",
            "bob",
            "carol",
        ]
        assert not enable_member(conn, bob.id).disabled
        assert set_role(conn, carol.id, Role.SUPERVISOR).role is Role.SUPERVISOR
        with pytest.raises(BadInput):
            set_role(conn, carol.id, "chief")
        assert get_member(conn, admin.id).role is Role.ADMIN


@pytest.mark.parametrize(
    "call",
    [
        lambda conn: get_member(conn, "m_nobody"),
        lambda conn: get_by_username(conn, "nobody"),
        lambda conn: disable_member(conn, "m_nobody"),
        lambda conn: enable_member(conn, "m_nobody"),
        lambda conn: set_role(conn, "m_nobody", Role.ANALYST),
    ],
)
def test_unknown_members_are_not_found(store: Store, call: object) -> None:
    with store.write() as conn, pytest.raises(NotFound):
        call(conn)  # type: ignore[operator]


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(
    store: Store, new_member: NewMember
) -> None:
    first, _ = new_member("first", Role.ADMIN)
    second, _ = new_member("second", Role.ADMIN)
    with store.write() as conn:
        disable_member(conn, second.id)
        with pytest.raises(Conflict, match="last enabled administrator"):
            disable_member(conn, first.id)
        with pytest.raises(Conflict, match="last enabled administrator"):
            set_role(conn, first.id, Role.OFFICER)
        enable_member(conn, second.id)
        assert set_role(conn, first.id, Role.OFFICER).role is Role.OFFICER


def test_disabling_ends_web_sessions(store: Store, now: datetime, new_member: NewMember) -> None:
    bob, _ = new_member("bob")
    with store.write() as conn:
        create_session(conn, bob.id, now, 8)
        disable_member(conn, bob.id)
        assert conn.execute(select(web_sessions)).first() is None
