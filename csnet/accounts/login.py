"""Interactive login: password + TOTP, with throttling of repeated failures.

Every failure answers the same generic Unauthenticated message, and an unknown username is
answered exactly like a known one: the same sequence of answers (its failures are counted and
locked alike) and the same work (a dummy password is hashed). Failures are counted per username
at one address (the lock a stranger elsewhere cannot impose on the real user), per username from
anywhere (distributed guessing, at a higher threshold) and per address whatever the username
(spraying one password over many accounts); see docs/api.md "Failed logins and lockout".

The counters are written *before* raising: Store.write() rolls back when an exception leaves the
block, so callers must catch the error inside the write transaction and re-raise after it
commits (see `login`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from argon2 import PasswordHasher
from sqlalchemy import Connection, Row, select, update

from csnet.accounts import throttle
from csnet.accounts._util import require_aware, utc
from csnet.accounts.members import Member, get_member
from csnet.accounts.passwords import burn_time, needs_rehash, verify_password
from csnet.accounts.throttle import Counter
from csnet.accounts.totp import match_step
from csnet.errors import RateLimited, Unauthenticated
from csnet.store.tables import members

GENERIC_FAILURE = "wrong username, password or code"


@dataclass(frozen=True)
class LoginLimits:
    """How many failures lock what, for how many minutes (the node's settings)."""

    threshold: int  # one username from one address
    minutes: int
    address_threshold: int = 20  # one address, whatever the username
    address_minutes: int = 15
    account_threshold: int = 50  # one username from any address

    def counters(self, username: str, client: str) -> tuple[Counter, Counter, Counter]:
        """(username at this address, username anywhere, this address)."""
        return (
            Counter(throttle.key_of("pair", username, client), self.threshold, self.minutes),
            Counter(throttle.key_of("user", username), self.account_threshold, self.minutes),
            Counter(throttle.key_of("addr", client), self.address_threshold, self.address_minutes),
        )


def login(
    conn: Connection,
    username: str,
    password: str,
    totp_code: str,
    now: datetime,
    limits: LoginLimits,
    *,
    client: str = "",
    hasher: PasswordHasher,
) -> Member:
    """Check credentials and return the member.

    Raises Unauthenticated (generic) or RateLimited (locked; details say until when). Use as:

        with store.write() as conn:
            try:
                member = login(conn, ...)
            except (Unauthenticated, RateLimited) as exc:
                failure = exc  # commit the counters, then raise
    """
    now = require_aware(now)
    counters = limits.counters(username, client)
    throttle.purge(conn, now)
    _refuse_throttled(conn, counters, now)
    row = conn.execute(select(members).where(members.c.username == username)).first()
    password_ok = _check_password(row, password, hasher)
    if row is not None and password_ok:
        _refuse_locked(row, now)  # locked inside a session (a wrong current password)
    if row is None or not password_ok or row.disabled:
        _record_failure(conn, counters, now)
    step = match_step(row.totp_secret, totp_code, now, row.last_totp_step)
    if step is None:
        _record_failure(conn, counters, now)
    throttle.clear(conn, list(counters[:2]))  # the address counter keeps counting
    _record_success(conn, row, password, step, hasher)
    return get_member(conn, row.id)


def _check_password(row: Row[Any] | None, password: str, hasher: PasswordHasher) -> bool:
    """The same work whether or not the username exists: one password hash."""
    if row is None:
        burn_time(password if isinstance(password, str) else "", hasher)
        return False
    return verify_password(row.password_hash, password, hasher)


def _refuse_throttled(conn: Connection, counters: tuple[Counter, ...], now: datetime) -> None:
    # Credentials are not even checked while locked: guessing must not continue meanwhile.
    until = throttle.locked_until(conn, list(counters), now)
    if until is not None:
        raise _locked(until, now)


def _locked(until: datetime, now: datetime) -> RateLimited:
    wait = max(1, int((until - now).total_seconds() + 0.999))
    return RateLimited(
        f"too many failed logins: try again after {until.isoformat()}",
        details={"locked_until": until.isoformat(), "retry_after": wait},
    )


def _refuse_locked(row: Row[Any], now: datetime) -> None:
    if row.locked_until is not None and utc(row.locked_until) > now:
        raise _locked(utc(row.locked_until), now)


def _count_failure(
    conn: Connection, row: Row[Any], now: datetime, threshold: int, minutes: int
) -> datetime | None:
    """One more failure in a row; returns the end of the lock it causes, if any."""
    lock_expired = row.locked_until is not None and utc(row.locked_until) <= now
    failures = (0 if lock_expired else row.failed_logins) + 1
    locked_until = now + timedelta(minutes=minutes) if failures >= threshold else None
    conn.execute(
        update(members)
        .where(members.c.id == row.id)
        .values(failed_logins=failures, locked_until=locked_until)
    )
    return locked_until


def count_wrong_password(
    conn: Connection, member_id: str, now: datetime, threshold: int, minutes: int
) -> datetime | None:
    """A wrong current password given inside a session (changing the password) counts like a
    failed login: a stolen session must not become an unlimited password oracle."""
    row = conn.execute(select(members).where(members.c.id == member_id)).first()
    if row is None:
        return None
    return _count_failure(conn, row, require_aware(now), threshold, minutes)


def _record_failure(conn: Connection, counters: tuple[Counter, ...], now: datetime) -> NoReturn:
    locks = [throttle.count_failure(conn, counter, now) for counter in counters]
    until = max((t for t in locks if t is not None), default=None)
    if until is not None:
        raise _locked(until, now)
    raise Unauthenticated(GENERIC_FAILURE)


def _record_success(
    conn: Connection, row: Row[Any], password: str, step: int, hasher: PasswordHasher
) -> None:
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_totp_step": step}
    if needs_rehash(row.password_hash, hasher):
        values["password_hash"] = hasher.hash(password)  # parameters were raised since
    conn.execute(update(members).where(members.c.id == row.id).values(**values))
