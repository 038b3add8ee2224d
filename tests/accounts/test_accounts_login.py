"""Login: password + TOTP, generic failures, lockout, replay, disabled accounts, rehash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from csnet.accounts import GENERIC_FAILURE, Member, code_at, disable_member, login
from csnet.accounts.login import LoginLimits
from csnet.errors import CsnetError, RateLimited, Unauthenticated
from csnet.store.engine import Store
from csnet.store.tables import login_throttle, members

NewMember = Callable[..., tuple[Member, str]]
THRESHOLD = 3
MINUTES = 15
LIMITS = LoginLimits(THRESHOLD, MINUTES)


def attempt(
    store: Store,
    hasher: PasswordHasher,
    username: str,
    password: str,
    code: str,
    now: datetime,
) -> Member | CsnetError:
    """The documented calling pattern: catch inside the transaction so the counter commits."""
    with store.write() as conn:
        try:
            return login(
                conn, username, password, code, now, LIMITS, client="10.0.0.1", hasher=hasher
            )
        except (Unauthenticated, RateLimited) as exc:
            return exc


def counters(store: Store, username: str) -> tuple[int, datetime | None, int | None]:
    """Failures and lock of the username at the test's address, and the member's last step."""
    key = LIMITS.counters(username, "10.0.0.1")[0].key
    with store.read() as conn:
        row = conn.execute(select(members).where(members.c.username == username)).one()
        count = conn.execute(select(login_throttle).where(login_throttle.c.key == key)).first()
    if count is None:
        return 0, None, row.last_totp_step
    return count.failures, _utc(count.locked_until), row.last_totp_step


def _utc(value: datetime | None) -> datetime | None:
    if value is None:  # SQLite hands back naive UTC
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_success_returns_the_member_and_records_the_step(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember, password: str
) -> None:
    member, secret = new_member()
    result = attempt(store, hasher, "alice", password, code_at(secret, now), now)
    assert result == member
    failed, locked, step = counters(store, "alice")
    assert (failed, locked) == (0, None) and step == int(now.timestamp()) // 30


@pytest.mark.parametrize(
    ("username", "wrong_password", "code_kind"),
    [
        ("alice", True, "right"),  # wrong password
        ("alice", False, "wrong"),  # wrong code
        ("alice", False, "malformed"),
        ("alice", False, "stale"),  # two steps old
        ("nobody", False, "right"),  # unknown username: same answer
        ("ALICE", False, "right"),
    ],
)
def test_failures_are_generic(
    store: Store,
    now: datetime,
    hasher: PasswordHasher,
    new_member: NewMember,
    password: str,
    username: str,
    wrong_password: bool,
    code_kind: str,
) -> None:
    _, secret = new_member()
    right = code_at(secret, now)
    code = {
        "right": right,
        "wrong": f"{(int(right) + 1) % 1_000_000:06d}",
        "malformed": "12ab56",
        "stale": code_at(secret, now - timedelta(seconds=61)),
    }[code_kind]
    result = attempt(store, hasher, username, password + "x" * wrong_password, code, now)
    assert isinstance(result, Unauthenticated)
    assert result.message == GENERIC_FAILURE and result.details == {}
    expected = 0 if username == "nobody" or username == "ALICE" else 1
    assert counters(store, "alice")[0] == expected


def test_replayed_code_is_refused(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember, password: str
) -> None:
    _, secret = new_member()
    code = code_at(secret, now)
    assert isinstance(attempt(store, hasher, "alice", password, code, now), Member)
    replay = attempt(store, hasher, "alice", password, code, now + timedelta(seconds=5))
    assert isinstance(replay, Unauthenticated)
    later = now + timedelta(seconds=30)
    assert isinstance(
        attempt(store, hasher, "alice", password, code_at(secret, later), later), Member
    )


def test_lockout_at_threshold_and_release_after_the_period(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember, password: str
) -> None:
    _, secret = new_member()
    results = [
        attempt(store, hasher, "alice", "wrong password!", "000000", now + timedelta(seconds=i))
        for i in range(THRESHOLD)
    ]
    assert [type(r) for r in results] == [Unauthenticated] * (THRESHOLD - 1) + [RateLimited]
    until = now + timedelta(seconds=THRESHOLD - 1, minutes=MINUTES)
    assert isinstance(results[-1], RateLimited)
    assert results[-1].message == f"too many failed logins: try again after {until.isoformat()}"
    assert results[-1].details["retry_after"] == MINUTES * 60
    assert counters(store, "alice")[:2] == (THRESHOLD, until)

    # Locked: right credentials are refused, and the counter does not move.
    during = until - timedelta(seconds=1)
    refused = attempt(store, hasher, "alice", password, code_at(secret, during), during)
    assert isinstance(refused, RateLimited)

    # After the period, the count starts afresh: one failure does not lock again.
    after = until + timedelta(seconds=1)
    assert isinstance(
        attempt(store, hasher, "alice", "nope nope nope", "000000", after), Unauthenticated
    )
    assert counters(store, "alice")[0] == 1
    ok = attempt(store, hasher, "alice", password, code_at(secret, after), after)
    assert isinstance(ok, Member) and ok.locked_until is None
    assert counters(store, "alice")[:2] == (0, None)


def test_success_resets_the_counter(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember, password: str
) -> None:
    _, secret = new_member()
    for _ in range(THRESHOLD - 1):
        attempt(store, hasher, "alice", "wrong password!", "000000", now)
    assert counters(store, "alice")[0] == THRESHOLD - 1
    assert isinstance(attempt(store, hasher, "alice", password, code_at(secret, now), now), Member)
    assert counters(store, "alice")[0] == 0


def test_disabled_member_is_refused_with_right_credentials(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember, password: str
) -> None:
    member, secret = new_member()
    with store.write() as conn:
        disable_member(conn, member.id)
    result = attempt(store, hasher, "alice", password, code_at(secret, now), now)
    assert isinstance(result, Unauthenticated) and result.message == GENERIC_FAILURE


def test_login_upgrades_an_outdated_hash(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember, password: str
) -> None:
    _, secret = new_member()  # hashed with the cheap test hasher
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    with store.read() as conn:
        before = conn.execute(select(members.c.password_hash)).scalar_one()
    assert isinstance(
        attempt(store, stronger, "alice", password, code_at(secret, now), now), Member
    )
    with store.read() as conn:
        after = conn.execute(select(members.c.password_hash)).scalar_one()
    assert after != before and "m=2048,t=2,p=1" in after
    later = now + timedelta(seconds=30)
    assert isinstance(
        attempt(store, stronger, "alice", password, code_at(secret, later), later), Member
    )


def test_an_escaping_error_rolls_the_counter_back(
    store: Store, now: datetime, hasher: PasswordHasher, new_member: NewMember
) -> None:
    """Why callers must catch inside the transaction (documented in csnet.accounts.login)."""
    new_member()
    with pytest.raises(Unauthenticated), store.write() as conn:
        login(conn, "alice", "wrong password!", "000000", now, LIMITS, hasher=hasher)
    assert counters(store, "alice")[0] == 0
