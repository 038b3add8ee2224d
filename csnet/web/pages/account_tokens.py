"""The member's own API tokens: create (the secret is shown once, on the answer to the POST, and
never again) and revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from csnet.accounts import token_ops
from csnet.accounts.member_ops import member_actor
from csnet.errors import NotFound
from csnet.web.deps import NodeDep
from csnet.web.pages.account_common import account_page, allowed_scopes
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _

router = APIRouter(include_in_schema=False)
MAX_DAYS = 365  # as the API allows


def _errors(
    name: str, scopes: list[str], days: int | None, allowed: tuple[str, ...]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 100 or not name.strip().isprintable():
        errors["name"] = _("Give the token a name of 1 to 100 characters.")
    if not scopes or not set(scopes) <= set(allowed):
        errors["scopes"] = _("Choose at least one of the permissions offered.")
    if days is None or not 1 <= days <= MAX_DAYS:
        errors["days"] = _("The lifetime must be 1 to %(n)s days.") % {"n": MAX_DAYS}
    return errors


def _actor(user: PageUser) -> str:
    return member_actor(user.member.id)


def _days(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


@router.post("/account/tokens", response_model=None)
def create(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    name: Annotated[str, Form(max_length=200)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
    days: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    wanted = scopes or []
    lifetime = _days(days)
    errors = _errors(name, wanted, lifetime, allowed_scopes(user))
    if errors or lifetime is None:
        values = {"name": name, "scopes": wanted, "days": days}
        extra = {"errors": errors, "form": "tokens", "values": values}
        return account_page(request, node, user, extra, 422)
    info, secret = token_ops.create(
        node, _actor(user), user.member.id, name=name, scopes=wanted, days=lifetime
    )
    # why: answered directly, not redirected, so the secret exists in this one response only
    return account_page(request, node, user, {"new_token": {"info": info, "secret": secret}})


@router.post("/account/tokens/{token_id}/revoke", response_model=None)
def revoke(token_id: str, node: NodeDep, user: PageUserDep) -> Response:
    try:
        token_ops.revoke(node, _actor(user), token_id, owner=user.member.id)
    except NotFound:
        raise NotFound(_("You have no such token.")) from None
    return RedirectResponse("/account?done=revoked", status_code=303)
