"""Typed dependencies: the node, and the authenticated caller (API token or login session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from csnet.access import Caller
from csnet.accounts import sessions, tokens
from csnet.accounts.members import Member
from csnet.errors import BadInput, Forbidden, Unauthenticated
from csnet.handling.roles import Role
from csnet.node import Node

SESSION_COOKIE = "csnet_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_SCOPES = frozenset({"read", "write", "admin"})


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def secure_cookies(node: Node) -> bool:
    """Cookies only over https: when we serve TLS, sit behind an https public URL, or are told."""
    return bool(node.settings.cookie_secure) or bool(node.settings.served_over_https)


@dataclass(frozen=True)
class Auth:
    member: Member
    scopes: frozenset[str]
    via: str  # "token" or "session"


def _from_token(node: Node, header: str) -> Auth:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    now = node.now()
    # why: a read, not the single writer, for nearly every request; last_used is per minute
    with node.store.read() as conn:
        member, info = tokens.check_token(conn, secret.strip(), now)
    if tokens.needs_touch(info, now):
        with node.store.write() as conn:
            tokens.touch(conn, info.id, now)
    return Auth(member, frozenset(info.scopes), "token")


def _from_session(node: Node, request: Request, cookie: str) -> Auth:
    max_age = int(node.settings.session_hours) * 3600
    session_id = sessions.unsign_session_id(node.session_secret, cookie, max_age)
    with node.store.read() as conn:
        member, csrf = sessions.resolve_session(conn, session_id, node.now())
    if request.method not in SAFE_METHODS:
        sessions.check_csrf(csrf, request.headers.get("x-csrf-token", ""))
    return Auth(member, ALL_SCOPES, "session")


def authenticate(request: Request, node: NodeDep) -> Auth:
    header = request.headers.get("authorization")
    if header:
        return _from_token(node, header)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return _from_session(node, request, cookie)
    raise Unauthenticated("authentication required: API token or login session")


AuthDep = Annotated[Auth, Depends(authenticate)]


def _scope_needed(request: Request) -> str:
    return "read" if request.method in SAFE_METHODS else "write"


def scoped(request: Request, auth: AuthDep) -> Auth:
    """Authenticated, and holding the scope the method needs (read for GET, else write)."""
    needed = _scope_needed(request)
    if needed not in auth.scopes:
        raise Forbidden(f"this token lacks the {needed!r} scope", code="scope_denied")
    return auth


ScopedDep = Annotated[Auth, Depends(scoped)]


def caller(
    auth: ScopedDep,
    x_justification: Annotated[str | None, Header(max_length=2000)] = None,
) -> Caller:
    justification = x_justification.strip() if x_justification else None
    if justification is not None and not justification.isprintable():
        raise BadInput("X-Justification must be printable text")
    return Caller(auth.member, justification or None)


CallerDep = Annotated[Caller, Depends(caller)]


def admin(auth: AuthDep) -> Auth:
    if auth.member.role is not Role.ADMIN or "admin" not in auth.scopes:
        raise Forbidden("node administrators only (role admin, scope admin)", code="role_denied")
    return auth


AdminDep = Annotated[Auth, Depends(admin)]


def overseer(auth: AuthDep) -> Auth:
    """Supervisors and node administrators read the audit log."""
    if auth.member.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("supervisors and node administrators only", code="role_denied")
    return auth


OverseerDep = Annotated[Auth, Depends(overseer)]
