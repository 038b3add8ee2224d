"""/login (password + TOTP code → session cookie), /logout, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from csnet.accounts import session_ops, sessions
from csnet.errors import RateLimited, Unauthenticated, retry_after
from csnet.node import Node
from csnet.web.api.auth import client_of, credentials_of
from csnet.web.deps import SESSION_COOKIE, NodeDep, secure_cookies
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUserDep, PublicLangDep
from csnet.web.pages.render import render
from csnet.web.schemas import LoginIn

router = APIRouter(include_in_schema=False)
LANG_COOKIE_DAYS = 365


def safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def remember_language(response: Response, lang: str, secure: bool) -> None:
    response.set_cookie(
        i18n.LANG_COOKIE,
        lang,
        max_age=LANG_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, _lang: PublicLangDep, next: str = "/", reason: str = ""
) -> HTMLResponse:
    notice = reason if reason in ("expired", "locked") else ""
    return render(request, "login.html", {"next": safe_next(next), "notice": notice})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    node: NodeDep,
    _lang: PublicLangDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    totp: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    try:
        body = LoginIn(username=username.strip(), password=password, totp=totp.strip())
    except ValidationError:
        return _failed(request, username, target, "invalid")
    try:
        opened = session_ops.open_session(node, credentials_of(body), client_of(request))
    except RateLimited as exc:
        refused = _failed(request, username, target, "locked")
        refused.headers.update(retry_after(exc) or {})
        return refused
    except Unauthenticated:
        return _failed(request, username, target, "invalid")
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, node, opened.session_id)
    return response


def set_session_cookie(response: Response, node: Node, session_id: str) -> None:
    """The signed session id: HttpOnly, SameSite=Strict, Secure whenever served over https."""
    response.set_cookie(
        SESSION_COOKIE,
        sessions.sign_session_id(node.session_secret, session_id),
        max_age=int(node.settings.session_hours) * 3600,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(node),
        path="/",
    )


def _failed(request: Request, username: str, target: str, error: str) -> HTMLResponse:
    # why: one message for a wrong name, password or code, so none can be probed alone
    context = {"next": target, "error": error, "username": username, "notice": ""}
    return render(request, "login.html", context, status=401 if error == "invalid" else 429)


@router.post("/logout")
def logout(node: NodeDep, user: PageUserDep) -> Response:
    session_ops.end_session(node, user.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure_cookies(node), httponly=True)
    return response
