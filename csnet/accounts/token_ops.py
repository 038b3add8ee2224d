"""API tokens: the one service behind the API, the account page and the CLI.

Each change runs in a transaction of its own with its audit entry, which reads the same whichever
front-end acted: a TOKEN_CHANGE naming the token's owner, the token and the change (a creation
adds the scopes granted). Only the actor differs: "member:<id>" for a member on the web (the API,
the account page, or `csnet login` through the API), "host:<user>" for the CLI on the node's host.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection

from csnet.accounts import tokens
from csnet.accounts.member_ops import member_actor
from csnet.accounts.members import Member
from csnet.accounts.session_ops import Credentials, log_in
from csnet.accounts.tokens import TokenInfo
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import Forbidden, NotFound
from csnet.node import Node


def create(
    node: Node,
    actor: str,
    member_id: str,
    *,
    name: str,
    scopes: Collection[str],
    days: int | None = None,
    within: Collection[str] | None = None,
) -> tuple[TokenInfo, str]:
    """A token for a member; the secret is returned once and kept only as a hash. `within` is
    what the requesting credential holds: a token cannot grant more than its creator has."""
    lifetime = days or int(node.settings.token_days)
    with node.store.write() as conn:
        info, secret = tokens.create_token(conn, member_id, name, scopes, node.now(), lifetime)
        # why: after the role's rule, so that an officer asking for "admin" hears that first
        if within is not None and not set(info.scopes) <= set(within):
            raise Forbidden("a token cannot grant more than its creator holds", code="scope_denied")
        _audit(node, conn, actor, info, "created", scopes=list(info.scopes))
    return info, secret


def log_in_for_token(
    node: Node,
    given: Credentials,
    client: str,
    *,
    name: str,
    scopes: Collection[str],
    days: int | None = None,
) -> tuple[TokenInfo, str]:
    """Password and TOTP code for a token of one's own (what `csnet login` asks for)."""
    member = log_in(node, given, client)
    return create(node, member_actor(member.id), member.id, name=name, scopes=scopes, days=days)


def revoke(node: Node, actor: str, token_id: str, *, owner: str | None = None) -> TokenInfo:
    """Revoke a token at once. With `owner`, only a token of that member: anyone else's answers
    NotFound, exactly like a token that does not exist."""
    with node.store.write() as conn:
        if owner is not None and token_id not in {t.id for t in tokens.list_tokens(conn, owner)}:
            raise NotFound(f"no token {token_id} of yours")
        info = tokens.revoke_token(conn, token_id, node.now())
        _audit(node, conn, actor, info, "revoked")
    return info


def check(node: Node, secret: str) -> tuple[Member, TokenInfo]:
    """The member and token a request presents (Unauthenticated otherwise).

    A read, not the single writer, for nearly every request: last_used is kept to the minute.
    No cache: a token revoked, or its member disabled, by any process is refused at once.
    """
    now = node.now()
    with node.store.read() as conn:
        member, info = tokens.check_token(conn, secret, now)
    if tokens.needs_touch(info, now):
        with node.store.write() as conn:
            tokens.touch(conn, info.id, now)
    return member, info


def list_of(node: Node, member_id: str) -> list[TokenInfo]:
    """A member's tokens, oldest first (never their secrets)."""
    with node.store.read() as conn:
        return tokens.list_tokens(conn, member_id)


def _audit(
    node: Node, conn: Connection, actor: str, info: TokenInfo, change: str, **more: Any
) -> None:
    details = {"member": info.member_id, "token": info.id, "change": change, **more}
    entry = AuditEntry(actor=actor, action=AuditAction.TOKEN_CHANGE, details=details)
    append(conn, entry, node.now())
