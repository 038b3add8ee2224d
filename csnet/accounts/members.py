"""Members of this node: people with a role, a password and a TOTP second factor.

`Member` carries no secrets; password hashes and TOTP secrets stay in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, Row, delete, insert, select, update

from csnet.accounts._util import new_id, require_aware, sha256_hex, utc
from csnet.accounts.passwords import hash_password, verify_password
from csnet.accounts.totp import match_step, new_secret
from csnet.errors import BadInput, Conflict, NotFound
from csnet.handling.roles import Role
from csnet.store.tables import members, web_sessions

USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
LANGUAGE = re.compile(r"[a-z]{2,3}")
MAX_DISPLAY_NAME = 200


@dataclass(frozen=True)
class Member:
    id: str
    username: str
    display_name: str
    role: Role
    language: str
    disabled: bool
    created: datetime
    locked_until: datetime | None


def member_from_row(row: Row[Any]) -> Member:
    return Member(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        language=row.language,
        disabled=bool(row.disabled),
        created=utc(row.created),
        locked_until=utc(row.locked_until) if row.locked_until is not None else None,
    )


def add_member(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    now: datetime,
    hasher: PasswordHasher,
) -> tuple[Member, str]:
    """Create a member; returns it with the TOTP secret to enrol (shown once, never again)."""
    now = require_aware(now)
    _check_username(username)
    display_name = _check_display_name(display_name)
    role = _role(role)
    password_hash = hash_password(password, hasher)
    if _row_by_username(conn, username) is not None:
        raise Conflict(f"username {username!r} is taken", details={"username": "taken"})
    secret = new_secret()
    member_id = new_id("m_")
    conn.execute(
        insert(members).values(
            id=member_id,
            username=username,
            display_name=display_name,
            role=role.value,
            password_hash=password_hash,
            totp_secret=secret,
            language="en",
            disabled=False,
            failed_logins=0,
            created=now,
        )
    )
    return get_member(conn, member_id), secret


def get_member(conn: Connection, member_id: str) -> Member:
    row = conn.execute(select(members).where(members.c.id == member_id)).first()
    if row is None:
        raise NotFound("no such member")
    return member_from_row(row)


def member_exists(conn: Connection, member_id: str) -> bool:
    return conn.execute(select(members.c.id).where(members.c.id == member_id)).first() is not None


def get_by_username(conn: Connection, username: str) -> Member:
    row = _row_by_username(conn, username)
    if row is None:
        raise NotFound("no such member")
    return member_from_row(row)


def list_members(conn: Connection, include_disabled: bool = False) -> list[Member]:
    stmt = select(members).order_by(members.c.username)
    if not include_disabled:
        stmt = stmt.where(members.c.disabled.is_(False))
    return [member_from_row(row) for row in conn.execute(stmt)]


def disable_member(conn: Connection, member_id: str) -> Member:
    """Disable a member and end their web sessions; their API tokens stop working too."""
    _keep_an_admin(conn, member_id, "disable")
    _update(conn, member_id, disabled=True)
    conn.execute(delete(web_sessions).where(web_sessions.c.member_id == member_id))
    return get_member(conn, member_id)


def enable_member(conn: Connection, member_id: str) -> Member:
    """Re-enable a member and clear any lockout."""
    _update(conn, member_id, disabled=False, failed_logins=0, locked_until=None)
    return get_member(conn, member_id)


def set_role(conn: Connection, member_id: str, role: Role | str) -> Member:
    new_role = _role(role)
    if new_role is not Role.ADMIN:
        _keep_an_admin(conn, member_id, "demote")
    _update(conn, member_id, role=new_role.value)
    return get_member(conn, member_id)


def set_language(conn: Connection, member_id: str, language: str) -> Member:
    """The member's preferred language (an ISO 639 code; the web app offers its own list)."""
    if not isinstance(language, str) or not LANGUAGE.fullmatch(language):
        raise BadInput("language must be an ISO 639 code", details={"language": "invalid"})
    _update(conn, member_id, language=language)
    return get_member(conn, member_id)


def change_password(
    conn: Connection,
    member_id: str,
    current: str,
    new: str,
    *,
    hasher: PasswordHasher,
) -> Member:
    """Replace the password after checking the current one; the caller ends the old sessions."""
    row = conn.execute(select(members).where(members.c.id == member_id)).first()
    if row is None:
        raise NotFound("no such member")
    if not verify_password(row.password_hash, current, hasher):
        raise BadInput("the current password is not right", details={"current_password": "wrong"})
    if isinstance(new, str) and verify_password(row.password_hash, new, hasher):
        raise BadInput("the new password is the current one", details={"password": "unchanged"})
    _update(conn, member_id, password_hash=hash_password(new, hasher))
    return get_member(conn, member_id)


def replace_totp_secret(
    conn: Connection, member_id: str, secret: str, code: str, now: datetime
) -> Member:
    """Switch to a new TOTP secret once the member proves their app holds it (a current code)."""
    step = match_step(secret, code, require_aware(now), None)
    if step is None:
        raise BadInput("the code does not match the new secret", details={"totp": "wrong"})
    # why: the confirming code's step counts as used, so it cannot be replayed to log in
    _update(conn, member_id, totp_secret=secret, last_totp_step=step)
    return get_member(conn, member_id)


def session_expires(conn: Connection, session_id: str) -> datetime | None:
    """When a web session ends (None if it is unknown)."""
    expires = conn.execute(
        select(web_sessions.c.expires).where(web_sessions.c.id_hash == sha256_hex(session_id))
    ).scalar_one_or_none()
    return None if expires is None else utc(expires)


def _keep_an_admin(conn: Connection, member_id: str, verb: str) -> None:
    # A node without an enabled administrator cannot manage its accounts or peers any more.
    admins = select(members.c.id).where(
        members.c.role == Role.ADMIN.value, members.c.disabled.is_(False)
    )
    ids = set(conn.execute(admins).scalars())
    if ids == {member_id}:
        raise Conflict(f"cannot {verb} the last enabled administrator", code="last_admin")


def _update(conn: Connection, member_id: str, **values: object) -> None:
    result = conn.execute(update(members).where(members.c.id == member_id).values(**values))
    if result.rowcount == 0:
        raise NotFound("no such member")


def _row_by_username(conn: Connection, username: str) -> Row[Any] | None:
    return conn.execute(select(members).where(members.c.username == username)).first()


def _check_username(username: str) -> None:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise BadInput(
            "username must be 3 to 64 characters of a-z, 0-9, '.', '_' and '-'",
            details={"username": "invalid"},
        )


def _check_display_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_DISPLAY_NAME or not name.isprintable():
        raise BadInput(
            f"display name must be 1 to {MAX_DISPLAY_NAME} printable characters",
            details={"display_name": "invalid"},
        )
    return name


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise BadInput(
            f"unknown role {role!r}; one of {allowed}", details={"role": "invalid"}
        ) from None
