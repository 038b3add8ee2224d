"""Interactive login (password + TOTP → session cookie) and token login for the CLI."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csnet.accounts import credentials, sessions, tokens
from csnet.accounts.login import LoginLimits, login
from csnet.accounts.members import Member
from csnet.audit import AuditAction, AuditEntry, append
from csnet.errors import CsnetError, RateLimited, Unauthenticated
from csnet.node import Node
from csnet.web.deps import SESSION_COOKIE, AuthDep, NodeDep, secure_cookies
from csnet.web.schemas import (
    LoginIn,
    MemberOut,
    NewTokenOut,
    PasswordChangeIn,
    RevokedOut,
    SessionOut,
    TokenLoginIn,
    TokenOut,
)

router = APIRouter(prefix="/auth", tags=["authentication"])


def member_out(member: Member) -> MemberOut:
    return MemberOut(
        id=member.id,
        username=member.username,
        display_name=member.display_name,
        role=member.role,
        disabled=member.disabled,
    )


def checked_login(node: Node, body: LoginIn, client: str) -> Member:
    """Check credentials; a failure is counted and audited (committed) before it is raised."""
    limits = login_limits(node)
    failure: CsnetError | None = None
    with node.store.write() as conn:
        try:
            member = login(
                conn,
                body.username,
                body.password,
                body.totp,
                node.now(),
                limits,
                client=client,
                hasher=node.hasher,
            )
        except (Unauthenticated, RateLimited) as exc:
            failure = exc
            entry = _login_entry(f"username:{body.username}", AuditAction.LOGIN_FAILED, client)
        else:
            entry = _login_entry(f"member:{member.id}", AuditAction.LOGIN, client)
        append(conn, entry, node.now())
    if failure is not None:
        raise failure
    return member


def login_limits(node: Node) -> LoginLimits:
    settings = node.settings
    return LoginLimits(
        threshold=int(settings.lockout_threshold),
        minutes=int(settings.lockout_minutes),
        address_threshold=int(settings.login_address_threshold),
        address_minutes=int(settings.login_address_minutes),
        account_threshold=int(settings.lockout_account_threshold),
    )


def _login_entry(actor: str, action: AuditAction, client: str) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        action=action,
        item_id=None,
        justification=None,
        recipients=(),
        details={"client": client},
        personal_data=False,
    )


@router.post("/login", response_model=SessionOut)
def login_session(body: LoginIn, request: Request, response: Response, node: NodeDep) -> SessionOut:
    """Password and TOTP code; answers with a signed, HttpOnly, SameSite session cookie."""
    client = request.client.host if request.client else "unknown"
    member = checked_login(node, body, client)
    with node.store.write() as conn:
        session_id, csrf = sessions.create_session(
            conn, member.id, node.now(), int(node.settings.session_hours)
        )
    response.set_cookie(
        SESSION_COOKIE,
        sessions.sign_session_id(node.session_secret, session_id),
        max_age=int(node.settings.session_hours) * 3600,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(node),
        path="/",
    )
    return SessionOut(member=member_out(member), csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, node: NodeDep, auth: AuthDep) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and auth.via == "session":
        max_age = int(node.settings.session_hours) * 3600
        session_id = sessions.unsign_session_id(node.session_secret, cookie, max_age)
        with node.store.write() as conn:
            sessions.end_session(conn, session_id)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure_cookies(node), httponly=True)


@router.post("/token", response_model=NewTokenOut, status_code=201)
def login_token(body: TokenLoginIn, request: Request, node: NodeDep) -> NewTokenOut:
    """Password and TOTP code for an API token (what `csnet login` does)."""
    client = request.client.host if request.client else "unknown"
    member = checked_login(node, body, client)
    with node.store.write() as conn:
        days = body.days or int(node.settings.token_days)
        info, secret = tokens.create_token(
            conn, member.id, body.token_name, list(body.scopes), node.now(), days
        )
    return NewTokenOut(token=TokenOut.model_validate(info, from_attributes=True), secret=secret)


@router.post("/password", response_model=RevokedOut)
def change_password(body: PasswordChangeIn, node: NodeDep, auth: AuthDep) -> RevokedOut:
    """A new password: every session ends and every API token is revoked (this one included),
    unless `keep_tokens` is true."""
    revoked = credentials.change_password(
        node, auth.member.id, body.current_password, body.new_password, keep_tokens=body.keep_tokens
    )
    return RevokedOut(tokens_revoked=revoked.tokens_revoked, sessions_ended=revoked.sessions_ended)


@router.get("/me", response_model=MemberOut)
def me(auth: AuthDep) -> MemberOut:
    return member_out(auth.member)
