"""What the account page and its forms share: the page itself and the scopes it offers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from csnet.accounts import profile_ops
from csnet.node import Node
from csnet.web.pages.auth import PageUser
from csnet.web.pages.render import render

BASE_SCOPES = ("read", "write")


def allowed_scopes(user: PageUser) -> tuple[str, ...]:
    """Scopes this member may put on a token: admin only for node administrators."""
    return (*BASE_SCOPES, "admin") if user.is_admin else BASE_SCOPES


def account_page(
    request: Request,
    node: Node,
    user: PageUser,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The account page; `extra` adds a one-time result (new token, pending secret) or errors."""
    held = profile_ops.access(node, user.member.id, user.session_id)
    context: dict[str, Any] = {
        "current_section": "account",
        "tokens": list(reversed(held.tokens)),
        "session_expires": held.session_expires,
        "scopes": allowed_scopes(user),
        "token_days": int(node.settings.token_days),
        "errors": {},
        "form": "",
        "new_token": None,
        "pending": None,
        "values": {},
        "notice": request.query_params.get("done", ""),
    }
    context.update(extra or {})
    return render(request, "account.html", context, status=status)
