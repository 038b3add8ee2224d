"""/account: the member's own profile, language, password, second factor and API tokens.

A password change ends every session of the member and starts a fresh one for this browser (a
new session id and CSRF token), so a stolen session cookie stops working at once; it revokes the
member's API tokens too unless "keep my API tokens" is ticked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.accounts import credentials, profile_ops, session_ops
from csnet.errors import BadInput, RateLimited
from csnet.web.deps import NodeDep, secure_cookies
from csnet.web.pages import account_tokens, account_totp, i18n
from csnet.web.pages.account_common import account_page
from csnet.web.pages.auth import PageUserDep
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
    profile_ops.set_language(node, user.member.id, language)
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
    keep_tokens: Annotated[bool, Form()] = False,
) -> Response:
    errors = _password_errors(new_password, repeat_password)
    if not errors:
        try:
            credentials.change_password(
                node, user.member.id, current_password, new_password, keep_tokens=keep_tokens
            )
        except RateLimited:  # wrong current passwords locked the account; its sessions ended
            return RedirectResponse("/login?reason=locked", status_code=303)
        except BadInput as exc:
            errors = _password_problem(exc)
    if errors:
        return account_page(request, node, user, {"errors": errors, "form": "password"}, 422)
    # why: a fresh session for this browser, the old ones ended with the old password
    session_id, _csrf = session_ops.start_session(node, user.member.id)
    response = RedirectResponse("/account?done=password", status_code=303)
    set_session_cookie(response, node, session_id)
    return response


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
