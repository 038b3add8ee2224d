"""Typed dependencies: the node, and the authenticated caller (API token or login session).

Why most of them are `async def`: FastAPI runs every plain `def` dependency in a worker thread
of its own, one hand-off there and back each. Those that only look at the request (node, scope,
role, justification) do no I/O, so they run on the event loop; `authenticate`, which reads the
store, is the one hop. The hottest endpoints go further (`Presented`): the request's
credentials are gathered on the event loop and checked in the same worker thread that does the
endpoint's work, so a request costs a single hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from csnet.access import Caller
from csnet.accounts import session_ops, sessions, token_ops
from csnet.accounts.members import Member
from csnet.errors import BadInput, Forbidden, Unauthenticated
from csnet.handling.roles import Role
from csnet.node import Node

SESSION_COOKIE = "csnet_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_SCOPES = frozenset({"read", "write", "admin"})


async def get_node(request: Request) -> Node:
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


@dataclass(frozen=True)
class Credentials:
    """What a request presents to be authenticated, read without I/O."""

    authorization: str | None
    session_cookie: str | None
    method: str
    csrf_token: str


def credentials_of(request: Request) -> Credentials:
    """The request's credentials; 401 at once when it presents none (no I/O needed to say so)."""
    header = request.headers.get("authorization")
    cookie = None if header else request.cookies.get(SESSION_COOKIE)
    if not header and not cookie:
        raise Unauthenticated("authentication required: API token or login session")
    return Credentials(header, cookie, request.method, request.headers.get("x-csrf-token", ""))


def check_credentials(node: Node, presented: Credentials) -> Auth:
    """Who presented these credentials (reads the store: call it in a worker thread)."""
    if presented.authorization:
        return _from_token(node, presented.authorization)
    return _from_session(node, presented)


def _from_token(node: Node, header: str) -> Auth:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    member, info = token_ops.check(node, secret.strip())
    return Auth(member, frozenset(info.scopes), "token")


def _from_session(node: Node, presented: Credentials) -> Auth:
    max_age = int(node.settings.session_hours) * 3600
    cookie = presented.session_cookie or ""
    session_id = sessions.unsign_session_id(node.session_secret, cookie, max_age)
    member, csrf = session_ops.resolve(node, session_id)
    if presented.method not in SAFE_METHODS:
        sessions.check_csrf(csrf, presented.csrf_token)
    return Auth(member, ALL_SCOPES, "session")


def authenticate(request: Request, node: NodeDep) -> Auth:
    return check_credentials(node, credentials_of(request))


AuthDep = Annotated[Auth, Depends(authenticate)]


def require_scope(auth: Auth, method: str) -> Auth:
    """Holding the scope the method needs (read for GET, else write)."""
    needed = "read" if method in SAFE_METHODS else "write"
    if needed not in auth.scopes:
        raise Forbidden(f"this token lacks the {needed!r} scope", code="scope_denied")
    return auth


async def scoped(request: Request, auth: AuthDep) -> Auth:
    """Authenticated, and holding the scope the method needs (read for GET, else write)."""
    return require_scope(auth, request.method)


ScopedDep = Annotated[Auth, Depends(scoped)]
Justification = Annotated[str | None, Header(max_length=2000)]


def justified(member: Member, x_justification: str | None) -> Caller:
    justification = x_justification.strip() if x_justification else None
    if justification is not None and not justification.isprintable():
        raise BadInput("X-Justification must be printable text")
    return Caller(member, justification or None)


async def caller(auth: ScopedDep, x_justification: Justification = None) -> Caller:
    return justified(auth.member, x_justification)


CallerDep = Annotated[Caller, Depends(caller)]


@dataclass(frozen=True)
class Presented:
    """A request's credentials and justification, not yet checked: `caller` checks them, in the
    worker thread of the endpoint's own work, in the order `CallerDep` does (authenticated →
    scope → justification)."""

    credentials: Credentials
    justification: str | None

    def caller(self, node: Node) -> Caller:
        auth = require_scope(check_credentials(node, self.credentials), self.credentials.method)
        return justified(auth.member, self.justification)


async def presented(request: Request, x_justification: Justification = None) -> Presented:
    return Presented(credentials_of(request), x_justification)


# For an endpoint that runs its work in one worker thread: it must call `.caller(node)` there
# before anything else (an endpoint taking this is unauthenticated until it does).
PresentedDep = Annotated[Presented, Depends(presented)]


async def admin(auth: AuthDep) -> Auth:
    if auth.member.role is not Role.ADMIN or "admin" not in auth.scopes:
        raise Forbidden("node administrators only (role admin, scope admin)", code="role_denied")
    return auth


AdminDep = Annotated[Auth, Depends(admin)]


async def overseer(auth: AuthDep) -> Auth:
    """Supervisors and node administrators read the audit log."""
    if auth.member.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("supervisors and node administrators only", code="role_denied")
    return auth


OverseerDep = Annotated[Auth, Depends(overseer)]
