"""Interactive login: password + TOTP, with lockout after repeated failures.

Every failure answers the same generic Unauthenticated message, so the answer does not tell
whether a username exists. The failure counter is written *before* raising: Store.write() rolls
back when an exception leaves the block, so callers must catch the error inside the write
transaction and re-raise after it commits (see `login`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NoReturn

from argon2 import PasswordHasher
from sqlalchemy import Connection, Row, select, update

from csnet.accounts._util import require_aware, utc
from csnet.accounts.members import Member, get_member
from csnet.accounts.passwords import DEFAULT_HASHER, burn_time, needs_rehash, verify_password
from csnet.accounts.totp import match_step
from csnet.errors import RateLimited, Unauthenticated
from csnet.store.tables import members

GENERIC_FAILURE = "wrong username, password or code"


def login(
    conn: Connection,
    username: str,
    password: str,
    totp_code: str,
    now: datetime,
    lockout_threshold: int,
    lockout_minutes: int,
    *,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> Member:
    """Check credentials and return the member.

    Raises Unauthenticated (generic) or RateLimited("account locked until …"). Use as:

        with store.write() as conn:
            try:
                member = login(conn, ...)
            except (Unauthenticated, RateLimited) as exc:
                failure = exc  # commit the counter, then raise
    """
    now = require_aware(now)
    row = conn.execute(select(members).where(members.c.username == username)).first()
    if row is None:
        burn_time(password if isinstance(password, str) else "", hasher)
        raise Unauthenticated(GENERIC_FAILURE)
    _refuse_locked(row, now)
    password_ok = verify_password(row.password_hash, password, hasher)
    if row.disabled:
        raise Unauthenticated(GENERIC_FAILURE)  # same answer, and no counting
    step = match_step(row.totp_secret, totp_code, now, row.last_totp_step) if password_ok else None
    if step is None:
        _record_failure(conn, row, now, lockout_threshold, lockout_minutes)
    _record_success(conn, row, password, step, hasher)
    return get_member(conn, row.id)


def _refuse_locked(row: Row[Any], now: datetime) -> None:
    # Credentials are not even checked while locked: guessing must not continue meanwhile.
    if row.locked_until is not None and utc(row.locked_until) > now:
        until = utc(row.locked_until)
        raise RateLimited(
            f"account locked until {until.isoformat()}",
            details={"locked_until": until.isoformat()},
        )


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


def _record_failure(
    conn: Connection, row: Row[Any], now: datetime, threshold: int, minutes: int
) -> NoReturn:
    locked_until = _count_failure(conn, row, now, threshold, minutes)
    if locked_until is not None:
        raise RateLimited(
            f"account locked until {locked_until.isoformat()}",
            details={"locked_until": locked_until.isoformat()},
        )
    raise Unauthenticated(GENERIC_FAILURE)


def _record_success(
    conn: Connection, row: Row[Any], password: str, step: int, hasher: PasswordHasher
) -> None:
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_totp_step": step}
    if needs_rehash(row.password_hash, hasher):
        values["password_hash"] = hasher.hash(password)  # parameters were raised since
    conn.execute(update(members).where(members.c.id == row.id).values(**values))
