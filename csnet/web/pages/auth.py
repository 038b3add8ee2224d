"""Who is asking for a page: the login session (cookie), its CSRF token, and the request's
language. A page without a valid session answers with a redirect to /login, never with data."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from csnet.access import Caller
from csnet.accounts import session_ops, sessions
from csnet.accounts.members import Member
from csnet.errors import Forbidden, Unauthenticated
from csnet.handling.roles import Role
from csnet.web.deps import SAFE_METHODS, SESSION_COOKIE, NodeDep
from csnet.web.pages import i18n

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""

    def __init__(self, next_path: str, reason: str = "") -> None:
        super().__init__(reason)
        self.next_path, self.reason = next_path, reason


@dataclass(frozen=True)
class PageUser:
    member: Member
    csrf: str
    session_id: str
    lang: str

    @property
    def caller(self) -> Caller:
        return Caller(self.member)

    def justified(self, justification: str | None) -> Caller:
        text = (justification or "").strip()
        return Caller(self.member, text or None)

    @property
    def is_admin(self) -> bool:
        return self.member.role is Role.ADMIN

    @property
    def oversees(self) -> bool:
        return self.member.role in (Role.ADMIN, Role.SUPERVISOR)


def request_language(request: Request, account: str | None) -> str:
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        account,
        request.headers.get("accept-language"),
    )


def page_context(request: Request, lang: str, user: PageUser | None, node_name: str) -> None:
    """What every template may use, kept on the request for `render`."""
    language = i18n.LANGUAGES[lang]
    request.state.page = {
        "lang": lang,
        "dir": "rtl" if language.rtl else "ltr",
        "user": user,
        "member": user.member if user else None,
        "csrf": user.csrf if user else "",
        "node_name": node_name,
        "path": request.url.path,
    }


def _next_path(request: Request) -> str:
    # why: only the path goes back to the login page; query strings may hold search terms
    return quote(request.url.path, safe="/")


async def read_csrf_field(request: Request) -> None:
    """Parse the form (if any) before page_user runs, so its CSRF field can be checked."""
    if request.method in SAFE_METHODS:
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        request.state.csrf_field = str(form.get(CSRF_FIELD, ""))


def page_user(
    request: Request, node: NodeDep, _form: Annotated[None, Depends(read_csrf_field)]
) -> PageUser:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired(_next_path(request))
    max_age = int(node.settings.session_hours) * 3600
    try:
        session_id = sessions.unsign_session_id(node.session_secret, cookie, max_age)
        member, csrf = session_ops.resolve(node, session_id)
    except Unauthenticated as exc:
        raise LoginRequired(_next_path(request), "expired") from exc
    lang = request_language(request, member.language)
    user = PageUser(member, csrf, session_id, lang)
    page_context(request, lang, user, node.identity.name)
    if request.method not in SAFE_METHODS:
        _check_csrf(request, csrf)
    return user


def _check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        # Form posts carry the token as a field; the form is parsed once and cached by Starlette.
        given = str(getattr(request.state, "csrf_field", ""))
    if not given or not hmac.compare_digest(given, expected):
        raise Forbidden(
            "the form is stale or was not sent by this site; reload and retry", code="csrf_failed"
        )


def page_public(request: Request, node: NodeDep) -> str:
    """Pages for anyone (the login page): only the language and the node's name."""
    lang = request_language(request, None)
    page_context(request, lang, None, node.identity.name)
    return lang


PageUserDep = Annotated[PageUser, Depends(page_user)]
PublicLangDep = Annotated[str, Depends(page_public)]


def overseer_page(user: PageUserDep) -> PageUser:
    if not user.oversees:
        raise Forbidden("supervisors and node administrators only", code="role_denied")
    return user


def admin_page(user: PageUserDep) -> PageUser:
    if not user.is_admin:
        raise Forbidden("node administrators only", code="role_denied")
    return user


OverseerPageDep = Annotated[PageUser, Depends(overseer_page)]
AdminPageDep = Annotated[PageUser, Depends(admin_page)]
