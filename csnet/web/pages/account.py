"""/account: the member's own profile, language, password, second factor and API tokens.

A password change ends every session of the member and starts a fresh one for this browser (a
new session id and CSRF token), so a stolen session cookie stops working at once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.accounts import members, sessions
from csnet.accounts.login import count_wrong_password
from csnet.audit import AuditAction, append
from csnet.errors import BadInput
from csnet.node import Node
from csnet.web.deps import NodeDep, secure_cookies
from csnet.web.pages import account_tokens, account_totp, i18n
from csnet.web.pages.account_common import account_page, member_entry
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.login import remember_language, set_session_cookie

router = APIRouter(include_in_schema=False)


@router.get("/account", response_class=HTMLResponse)
def show(request: Request, node: NodeDep, user: PageUserDep) -> HTMLResponse:
    return account_page(request, node, user)


@router.post("/account/language", response_model=None)
def set_language(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if language not in i18n.LANGUAGES:
        errors = {"language": _("Choose one of the languages offered.")}
        return account_page(request, node, user, {"errors": errors, "form": "language"}, 422)
    with node.store.write() as conn:
        members.set_language(conn, user.member.id, language)
    response = RedirectResponse("/account?done=language", status_code=303)
    # why: the cookie outranks the account setting, so it must follow the change
    remember_language(response, language, secure_cookies(node))
    return response


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    repeat_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    errors = _password_errors(new_password, repeat_password)
    if not errors:
        try:
            with node.store.write() as conn:
                members.change_password(conn, user.member.id, current_password, new_password)
                sessions.end_member_sessions(conn, user.member.id)
                session_id, _csrf = sessions.create_session(
                    conn, user.member.id, node.now(), int(node.settings.session_hours)
                )
                change = {"member": user.member.id, "change": "password changed"}
                append(conn, member_entry(user, AuditAction.MEMBER_CHANGE, change), node.now())
        except BadInput as exc:
            errors = _password_problem(exc)
            if exc.details.get("current_password") and _locked_out(node, user):
                return RedirectResponse("/login?reason=locked", status_code=303)
    if errors:
        return account_page(request, node, user, {"errors": errors, "form": "password"}, 422)
    response = RedirectResponse("/account?done=password", status_code=303)
    set_session_cookie(response, node, session_id)
    return response


def _locked_out(node: Node, user: PageUser) -> bool:
    """Count the wrong password like a failed login; on lockout every session of the member ends."""
    settings = node.settings
    with node.store.write() as conn:
        locked_until = count_wrong_password(
            conn,
            user.member.id,
            node.now(),
            int(settings.lockout_threshold),
            int(settings.lockout_minutes),
        )
        entry = member_entry(user, AuditAction.LOGIN_FAILED, {"via": "password change"})
        append(conn, entry, node.now())
        if locked_until is not None:
            sessions.end_member_sessions(conn, user.member.id)
    return locked_until is not None


def _password_errors(new: str, repeat: str) -> dict[str, str]:
    if new != repeat:
        return {"repeat_password": _("The two new passwords differ.")}
    return {}


def _password_problem(exc: BadInput) -> dict[str, str]:
    if exc.details.get("current_password"):
        return {"current_password": _("The current password is not right.")}
    if exc.details.get("password") == "unchanged":
        return {"new_password": _("The new password must differ from the current one.")}
    if exc.details.get("password") == "too_long":
        return {"new_password": _("The new password is too long.")}
    return {"new_password": _("The new password must have at least 12 characters.")}


router.include_router(account_totp.router)
router.include_router(account_tokens.router)
