"""API tokens for scripts and integrations: bearer secrets stored only as sha256 hashes.

A secret looks like "csn_" + 43 URL-safe characters; the prefix lets secret scanners find
leaked tokens. `authenticate_token` writes last_used, so call it inside a write transaction;
`check_token` only reads, and `touch` records the use when `needs_touch` says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, insert, select, update

from csnet.accounts._util import new_id, require_aware, sha256_hex, utc
from csnet.accounts.members import Member, get_member, member_from_row
from csnet.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from csnet.handling.roles import Role
from csnet.store.tables import api_tokens, members

PREFIX = "csn_"
SCOPES = frozenset({"read", "write", "admin"})
MAX_DAYS = 3650
MAX_SECRET_LENGTH = 200
# last_used is a hint for humans; writing it on every request would make every read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
INVALID = "invalid, revoked or expired API token"
_LABEL = "token_"
# why: every authenticated request runs this; built once, it is only bound to a hash per request.
# One statement reads the token and its member together (the member's role and `disabled` as they
# are now: nothing about either is cached between requests, so a revocation, a disabling or a
# role change made by any process applies to the very next request).
_TOKEN_AND_MEMBER = (
    select(members, *(column.label(_LABEL + column.name) for column in api_tokens.c))
    .join_from(api_tokens, members, members.c.id == api_tokens.c.member_id)
    .where(api_tokens.c.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    member_id: str
    name: str
    scopes: tuple[str, ...]
    created: datetime
    expires: datetime
    revoked: datetime | None
    last_used: datetime | None


def create_token(
    conn: Connection,
    member_id: str,
    name: str,
    scopes: Iterable[str],
    now: datetime,
    days: int,
) -> tuple[TokenInfo, str]:
    """Create a token; the secret is returned once and never stored in clear."""
    now = require_aware(now)
    name, wanted, days = _check_name(name), _check_scopes(scopes), _check_days(days)
    member = get_member(conn, member_id)
    if member.disabled:
        raise Conflict("a disabled member cannot get API tokens")
    check_role_may_hold(member.role, wanted)
    secret = PREFIX + secrets.token_urlsafe(32)
    token_id = new_id("t_")
    conn.execute(
        insert(api_tokens).values(
            id=token_id,
            member_id=member_id,
            name=name,
            token_hash=sha256_hex(secret),
            scopes=list(wanted),
            created=now,
            expires=now + timedelta(days=days),
        )
    )
    return _get(conn, token_id), secret


def check_role_may_hold(role: Role, scopes: Iterable[str]) -> None:
    """The one rule for every way a token is made: the admin scope is for node administrators."""
    if "admin" in set(scopes) and role is not Role.ADMIN:
        raise Forbidden("only node administrators can hold the admin scope", code="scope_denied")


def revoke_token(conn: Connection, token_id: str, now: datetime) -> TokenInfo:
    """Revoke a token; revoking it again keeps the first revocation time."""
    now = require_aware(now)
    info = _get(conn, token_id)
    if info.revoked is None:
        conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked=now))
    return _get(conn, token_id)


def revoke_member_tokens(conn: Connection, member_id: str, now: datetime) -> int:
    """Revoke every live token of a member (password change, suspicion of compromise)."""
    live = and_(api_tokens.c.member_id == member_id, api_tokens.c.revoked.is_(None))
    result = conn.execute(update(api_tokens).where(live).values(revoked=require_aware(now)))
    return result.rowcount


def list_tokens(conn: Connection, member_id: str) -> list[TokenInfo]:
    stmt = (
        select(api_tokens)
        .where(api_tokens.c.member_id == member_id)
        .order_by(api_tokens.c.created, api_tokens.c.id)
    )
    return [_info(row) for row in conn.execute(stmt)]


def authenticate_token(
    conn: Connection, secret: str, now: datetime
) -> tuple[Member, tuple[str, ...]]:
    """The member and scopes of a valid token; Unauthenticated for anything else."""
    member, info = check_token(conn, secret, now)
    if needs_touch(info, now):
        touch(conn, info.id, now)
    return member, info.scopes


def needs_touch(info: TokenInfo, now: datetime) -> bool:
    """last_used is kept to the minute: most requests need no write at all."""
    return info.last_used is None or now - info.last_used >= LAST_USED_RESOLUTION


def touch(conn: Connection, token_id: str, now: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used=now))


def check_token(conn: Connection, secret: str, now: datetime) -> tuple[Member, TokenInfo]:
    """The member and the token of a valid secret, read only (Unauthenticated otherwise)."""
    now = require_aware(now)
    if not isinstance(secret, str) or not secret.startswith(PREFIX):
        raise Unauthenticated(INVALID)
    if len(secret) > MAX_SECRET_LENGTH:
        raise Unauthenticated(INVALID)
    row = conn.execute(_TOKEN_AND_MEMBER, {"token_hash": sha256_hex(secret)}).first()
    if row is None:
        raise Unauthenticated(INVALID)
    info = _info_from(
        {k[len(_LABEL) :]: v for k, v in row._mapping.items() if k.startswith(_LABEL)}
    )
    if info.revoked is not None or info.expires <= now:
        raise Unauthenticated(INVALID)
    member = member_from_row(row)
    if member.disabled:
        raise Unauthenticated(INVALID)
    return member, info


def _get(conn: Connection, token_id: str) -> TokenInfo:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    if row is None:
        raise NotFound("no such API token")
    return _info(row)


def _info(row: Row[Any]) -> TokenInfo:
    return _info_from(row._mapping)


def _info_from(values: Mapping[Any, Any]) -> TokenInfo:
    revoked, last_used = values["revoked"], values["last_used"]
    return TokenInfo(
        id=values["id"],
        member_id=values["member_id"],
        name=values["name"],
        scopes=tuple(values["scopes"]),
        created=utc(values["created"]),
        expires=utc(values["expires"]),
        revoked=utc(revoked) if revoked is not None else None,
        last_used=utc(last_used) if last_used is not None else None,
    )


def _check_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100 or not name.isprintable():
        raise BadInput("token name must be 1 to 100 printable characters")
    return name


def _check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    if isinstance(scopes, str):
        raise BadInput("scopes must be a list, e.g. ['read']")
    wanted = set(scopes)
    if not wanted or not wanted <= SCOPES:
        allowed = ", ".join(sorted(SCOPES))
        raise BadInput(
            f"scopes must be a non-empty subset of {allowed}", details={"scopes": "invalid"}
        )
    return tuple(sorted(wanted))


def _check_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise BadInput(f"token lifetime must be 1 to {MAX_DAYS} days")
    return days
