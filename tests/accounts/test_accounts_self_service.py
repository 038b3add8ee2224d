"""What members change themselves: language, password, a re-enrolled TOTP secret; the pending
secret sealed into the enrolment form; and when a web session ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous import TimestampSigner
from sqlalchemy import select

from csnet.accounts import Member, create_session, members, totp
from csnet.accounts.passwords import verify_password
from csnet.errors import BadInput
from csnet.store.engine import Store
from csnet.store.tables import members as members_table

NewMember = Callable[..., tuple[Member, str]]
KEY = b"k" * 32


def _row(store: Store, member_id: str) -> object:
    with store.read() as conn:
        return conn.execute(select(members_table).where(members_table.c.id == member_id)).one()


def test_set_language_stores_a_code_and_refuses_anything_else(
    store: Store, new_member: NewMember
) -> None:
    member, _secret = new_member()
    with store.write() as conn:
        assert members.set_language(conn, member.id, "ur").language == "ur"
    for bad in ("", "urdu!", "x", "EN"):
        with store.write() as conn, pytest.raises(BadInput):
            members.set_language(conn, member.id, bad)


def test_change_password_checks_the_current_one_and_the_rules(
    store: Store, new_member: NewMember, password: str, hasher: PasswordHasher
) -> None:
    member, _secret = new_member()
    with store.write() as conn, pytest.raises(BadInput) as wrong:
        members.change_password(conn, member.id, "wrong", "a new long passphrase", hasher=hasher)
    assert wrong.value.details == {"current_password": "wrong"}
    with store.write() as conn, pytest.raises(BadInput):
        members.change_password(conn, member.id, password, "short", hasher=hasher)
    with store.write() as conn, pytest.raises(BadInput) as same:
        members.change_password(conn, member.id, password, password, hasher=hasher)
    assert same.value.details == {"password": "unchanged"}
    with store.write() as conn:
        members.change_password(conn, member.id, password, "a new long passphrase", hasher=hasher)
    stored = _row(store, member.id).password_hash  # type: ignore[attr-defined]
    assert verify_password(stored, "a new long passphrase", hasher)
    assert not verify_password(stored, password, hasher)


def test_replace_totp_secret_needs_a_code_of_the_new_secret(
    store: Store, new_member: NewMember, now: datetime
) -> None:
    member, old = new_member()
    new = totp.new_secret()
    with store.write() as conn, pytest.raises(BadInput):
        members.replace_totp_secret(conn, member.id, new, totp.code_at(old, now), now)
    assert _row(store, member.id).totp_secret == old  # type: ignore[attr-defined]
    with store.write() as conn:
        members.replace_totp_secret(conn, member.id, new, totp.code_at(new, now), now)
    row = _row(store, member.id)
    assert row.totp_secret == new  # type: ignore[attr-defined]
    # the confirming code is used up: it cannot be replayed at login
    assert row.last_totp_step == totp.time_step(now)  # type: ignore[attr-defined]


def test_pending_secret_is_bound_to_the_member_and_the_key() -> None:
    sealed = totp.seal_pending(KEY, "m_1", "SECRET")
    assert totp.open_pending(KEY, sealed, "m_1") == "SECRET"
    assert totp.open_pending(KEY, sealed, "m_2") is None
    assert totp.open_pending(b"other" * 8, sealed, "m_1") is None
    assert totp.open_pending(KEY, sealed[:-2] + "xx", "m_1") is None
    assert totp.open_pending(KEY, "", "m_1") is None


def test_session_expires_reports_the_end_of_a_session(
    store: Store, new_member: NewMember, now: datetime
) -> None:
    member, _secret = new_member()
    with store.write() as conn:
        session_id, _csrf = create_session(conn, member.id, now, 12)
    with store.read() as conn:
        assert members.session_expires(conn, session_id) == now + timedelta(hours=12)
        assert members.session_expires(conn, "unknown") is None


def test_pending_secret_expires_after_ten_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    started = int(time.time()) - totp.PENDING_SECONDS - 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: started)
    sealed = totp.seal_pending(KEY, "m_1", "SECRET")
    monkeypatch.undo()
    assert totp.open_pending(KEY, sealed, "m_1") is None
