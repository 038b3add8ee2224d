"""Web sessions: a random session id in a signed cookie, stored only as its sha256 hash, and a
per-session CSRF token checked on every state-changing request.

The database row (expires, checked against the caller's `now`) decides whether a session is valid;
the cookie's itsdangerous timestamp (`max_age`) is a second, independent bound.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, delete, insert, select

from csnet.accounts._util import require_aware, sha256_hex, utc
from csnet.accounts.members import Member, get_member
from csnet.errors import BadInput, Conflict, Forbidden, Unauthenticated
from csnet.store.tables import web_sessions

MAX_HOURS = 24 * 30
COOKIE_SALT = "csnet.session"  # separates session signatures from other uses of the secret
EXPIRED = "session expired or unknown; please log in again"


def create_session(conn: Connection, member_id: str, now: datetime, hours: int) -> tuple[str, str]:
    """Start a session; returns (session id for the cookie, CSRF token for forms)."""
    now = require_aware(now)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise BadInput(f"session lifetime must be 1 to {MAX_HOURS} hours")
    if get_member(conn, member_id).disabled:
        raise Conflict("a disabled member cannot start a session")
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    conn.execute(
        insert(web_sessions).values(
            id_hash=sha256_hex(session_id),
            member_id=member_id,
            csrf_token=csrf_token,
            created=now,
            expires=now + timedelta(hours=hours),
        )
    )
    return session_id, csrf_token


def resolve_session(conn: Connection, session_id: str, now: datetime) -> tuple[Member, str]:
    """The member and CSRF token of a live session; read-only, so a read transaction will do."""
    now = require_aware(now)
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 200:
        raise Unauthenticated(EXPIRED)
    row = conn.execute(
        select(web_sessions).where(web_sessions.c.id_hash == sha256_hex(session_id))
    ).first()
    if row is None or utc(row.expires) <= now:
        raise Unauthenticated(EXPIRED)
    member = get_member(conn, row.member_id)
    if member.disabled:
        raise Unauthenticated(EXPIRED)
    return member, str(row.csrf_token)


def end_session(conn: Connection, session_id: str) -> None:
    """Log out; ending an unknown or already ended session is not an error."""
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == sha256_hex(session_id)))


def end_member_sessions(conn: Connection, member_id: str) -> int:
    """Log a member out everywhere (password change, suspicion of compromise)."""
    result = conn.execute(delete(web_sessions).where(web_sessions.c.member_id == member_id))
    return result.rowcount


def purge_expired_sessions(conn: Connection, now: datetime) -> int:
    """Housekeeping: delete sessions that expired at or before `now`."""
    # Bound as UTC: SQLite compares stored UTC wall-clock text.
    cutoff = require_aware(now)
    result = conn.execute(delete(web_sessions).where(web_sessions.c.expires <= cutoff))
    return result.rowcount


def sign_session_id(secret: str | bytes, session_id: str) -> str:
    """The cookie value: the session id, timestamped and signed with the node's cookie secret."""
    return str(_serializer(secret).dumps(session_id))


def unsign_session_id(secret: str | bytes, value: str, max_age: int) -> str:
    """The session id in a cookie; Unauthenticated if forged, altered or over max_age seconds."""
    try:
        session_id = _serializer(secret).loads(value, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        raise Unauthenticated(EXPIRED) from None
    if not isinstance(session_id, str):
        raise Unauthenticated(EXPIRED)
    return session_id


def check_csrf(expected: str, given: str | None) -> None:
    """Constant-time comparison of the session's CSRF token with the one a form or header sent."""
    if not expected or not given:
        raise Forbidden("missing CSRF token", code="csrf_failed")
    if not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")):
        raise Forbidden("CSRF token does not match", code="csrf_failed")


def _serializer(secret: str | bytes) -> URLSafeTimedSerializer:
    if not secret:
        raise ValueError("a cookie signing secret is required")
    return URLSafeTimedSerializer(secret, salt=COOKIE_SALT)
