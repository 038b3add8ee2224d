"""Re-enrolling the second factor: a new TOTP secret is held pending (signed into the form, bound
to the member, ten minutes) and replaces the current one only after a code from it verifies."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.accounts import credentials, totp
from csnet.errors import BadInput
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages.account_common import account_page
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _

router = APIRouter(include_in_schema=False)


def enrolment(node: Node, username: str, secret: str) -> dict[str, str]:
    """What an authenticator app needs: the QR code (an SVG data URI) and the secret as text."""
    uri = totp.provisioning_uri(secret, username, f"csnet {node.identity.name}")
    qr = segno.make(uri, error="m").svg_data_uri(scale=4)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"qr": qr, "secret": grouped, "uri": uri}


def _pending(node: Node, user: PageUser, secret: str) -> dict[str, Any]:
    sealed = totp.seal_pending(node.session_secret, user.member.id, secret)
    return {**enrolment(node, user.member.username, secret), "sealed": sealed}


@router.post("/account/totp/start", response_class=HTMLResponse)
def start(request: Request, node: NodeDep, user: PageUserDep) -> HTMLResponse:
    pending = _pending(node, user, totp.new_secret())
    return account_page(request, node, user, {"pending": pending, "form": "totp"})


@router.post("/account/totp/confirm", response_model=None)
def confirm(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    pending: Annotated[str, Form(max_length=400)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    secret = totp.open_pending(node.session_secret, pending, user.member.id)
    if secret is None:
        errors = {"code": _("The new secret has expired. Start again.")}
        return account_page(request, node, user, {"errors": errors, "form": "totp"}, 422)
    try:
        credentials.re_enrol_totp(node, user.member.id, secret, code)
    except BadInput:
        errors = {"code": _("That code does not match the new secret. Check your app and retry.")}
        extra = {"errors": errors, "form": "totp", "pending": _pending(node, user, secret)}
        return account_page(request, node, user, extra, 422)
    return RedirectResponse("/account?done=totp", status_code=303)
