"""Interactive login (password + TOTP → session cookie) and token login for the CLI."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from csnet.accounts import credentials, session_ops, sessions, token_ops
from csnet.accounts.members import Member
from csnet.accounts.session_ops import Credentials
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


def credentials_of(body: LoginIn) -> Credentials:
    return Credentials(body.username, body.password, body.totp)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=SessionOut)
def login_session(body: LoginIn, request: Request, response: Response, node: NodeDep) -> SessionOut:
    """Password and TOTP code; answers with a signed, HttpOnly, SameSite session cookie."""
    opened = session_ops.open_session(node, credentials_of(body), client_of(request))
    response.set_cookie(
        SESSION_COOKIE,
        sessions.sign_session_id(node.session_secret, opened.session_id),
        max_age=int(node.settings.session_hours) * 3600,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(node),
        path="/",
    )
    return SessionOut(member=member_out(opened.member), csrf_token=opened.csrf)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, node: NodeDep, auth: AuthDep) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and auth.via == "session":
        max_age = int(node.settings.session_hours) * 3600
        session_id = sessions.unsign_session_id(node.session_secret, cookie, max_age)
        session_ops.end_session(node, session_id)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure_cookies(node), httponly=True)


@router.post("/token", response_model=NewTokenOut, status_code=201)
def login_token(body: TokenLoginIn, request: Request, node: NodeDep) -> NewTokenOut:
    """Password and TOTP code for an API token (what `csnet login` does)."""
    info, secret = token_ops.log_in_for_token(
        node,
        credentials_of(body),
        client_of(request),
        name=body.token_name,
        scopes=body.scopes,
        days=body.days,
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
