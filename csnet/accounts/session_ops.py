"""Logging in and out: the service behind the API's /auth routes and the login page.

A login attempt, right or wrong, is audited in the transaction that counts it, and a failure is
raised only after that transaction commits: the counters and the log line must outlive the
refusal (see login.py). The entry reads the same from the API, the pages and `csnet login` (which
goes through the API): actor "member:<id>" on success, "username:<name>" on failure, and the
client's address in the details.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from csnet.accounts import sessions
from csnet.accounts.login import LoginLimits, login
from csnet.accounts.member_ops import member_actor
from csnet.accounts.members import Member
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import CsnetError, RateLimited, Unauthenticated
from csnet.node import Node
from csnet.settings import Settings


@dataclass(frozen=True)
class Credentials:
    """What a person types to log in."""

    username: str
    password: str
    totp: str


@dataclass(frozen=True)
class Session:
    """A started web session: the id goes into the signed cookie, the CSRF token into forms."""

    member: Member
    session_id: str
    csrf: str


def login_limits(settings: Settings) -> LoginLimits:
    return LoginLimits(
        threshold=int(settings.lockout_threshold),
        minutes=int(settings.lockout_minutes),
        address_threshold=int(settings.login_address_threshold),
        address_minutes=int(settings.login_address_minutes),
        account_threshold=int(settings.lockout_account_threshold),
    )


def log_in(node: Node, given: Credentials, client: str) -> Member:
    """Check credentials; a failure is counted and audited (committed) before it is raised."""
    failure: CsnetError | None = None
    with node.store.write() as conn:
        try:
            member = login(
                conn,
                given.username,
                given.password,
                given.totp,
                node.now(),
                login_limits(node.settings),
                client=client,
                hasher=node.hasher,
            )
        except (Unauthenticated, RateLimited) as exc:
            failure = exc
            _audit(node, conn, f"username:{given.username}", AuditAction.LOGIN_FAILED, client)
        else:
            _audit(node, conn, member_actor(member.id), AuditAction.LOGIN, client)
    if failure is not None:
        raise failure
    return member


def open_session(node: Node, given: Credentials, client: str) -> Session:
    """Log in and start a web session for the browser (or API client) that asked."""
    member = log_in(node, given, client)
    session_id, csrf = start_session(node, member.id)
    return Session(member, session_id, csrf)


def start_session(node: Node, member_id: str) -> tuple[str, str]:
    """A fresh session for a member already known to be who they say (after a login, or after
    a password change has ended their other sessions); returns (session id, CSRF token)."""
    with node.store.write() as conn:
        return sessions.create_session(
            conn, member_id, node.now(), int(node.settings.session_hours)
        )


def end_session(node: Node, session_id: str) -> None:
    """Log out; ending an unknown or already ended session is not an error."""
    with node.store.write() as conn:
        sessions.end_session(conn, session_id)


def resolve(node: Node, session_id: str) -> tuple[Member, str]:
    """The member and CSRF token of a live session (Unauthenticated otherwise)."""
    with node.store.read() as conn:
        return sessions.resolve_session(conn, session_id, node.now())


def _audit(node: Node, conn: Connection, actor: str, action: AuditAction, client: str) -> None:
    append(conn, AuditEntry(actor=actor, action=action, details={"client": client}), node.now())
