"""/admin/members: the members of this node, their roles and whether they may log in.

A new member's TOTP secret is shown once, on the answer to the POST that made it, for the member
to enrol their authenticator app; the node keeps at least one enabled administrator.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.accounts import member_ops
from csnet.errors import BadInput, Conflict
from csnet.handling.roles import Role
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages.account_totp import enrolment
from csnet.web.pages.auth import AdminPageDep, PageUser
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)
PAGE = 50
ROLES = tuple(role.value for role in Role)


def _page(
    request: Request, node: Node, extra: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    page = _page_number(request.query_params.get("page", "1"))
    found = member_ops.listing(node, include_disabled=True)
    shown = found[(page - 1) * PAGE : page * PAGE]
    more = len(found) > page * PAGE
    context: dict[str, Any] = {
        "current_section": "admin",
        "members": shown,
        "roles": ROLES,
        "next_url": f"/admin/members?page={page + 1}" if more else "",
        "errors": {},
        "values": {},
        "created": None,
        "refusal": "",
        "notice": request.query_params.get("done", ""),
    }
    context.update(extra or {})
    return render(request, "admin_members.html", context, status=status)


def _actor(user: PageUser) -> str:
    return member_ops.member_actor(user.member.id)


def _page_number(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 6 and int(text) else 1


@router.get("/admin/members", response_class=HTMLResponse)
def show(request: Request, node: NodeDep, _user: AdminPageDep) -> HTMLResponse:
    return _page(request, node)


def _field_message(name: str) -> str:
    if name == "username":
        return _("User names have 3 to 64 characters: a-z, 0-9, '.', '_' and '-'.")
    if name == "display_name":
        return _("Give a name of 1 to 200 characters.")
    if name == "role":
        return _("Choose one of the roles.")
    return _("The initial password must have 12 to 1024 characters.")


FIELDS = ("username", "display_name", "role", "password")


@router.post("/admin/members", response_class=HTMLResponse)
def add(
    request: Request,
    node: NodeDep,
    user: AdminPageDep,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> HTMLResponse:
    values = {"username": username, "display_name": display_name, "role": role}
    try:
        member, secret = member_ops.add(
            node,
            _actor(user),
            username=username.strip(),
            display_name=display_name,
            role=role,
            password=password,
        )
    except (BadInput, Conflict) as exc:
        errors = _add_errors(exc)
        return _page(request, node, {"errors": errors, "values": values}, 422)
    created = {"member": member, **enrolment(node, member.username, secret)}
    # why: answered directly, not redirected: the secret is in this one response only
    return _page(request, node, {"created": created})


def _add_errors(exc: BadInput | Conflict) -> dict[str, str]:
    if isinstance(exc, Conflict):
        return {"username": _("This user name is taken.")}
    fields = [name for name in exc.details if name in FIELDS] or ["password"]
    return {name: _field_message(name) for name in fields}


@router.post("/admin/members/{member_id}/role", response_model=None)
def change_role(
    request: Request,
    member_id: str,
    node: NodeDep,
    user: AdminPageDep,
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    if role not in ROLES:
        return _page(request, node, {"refusal": _("Choose one of the roles.")}, 422)
    try:
        member_ops.set_role(node, _actor(user), member_id, role)
    except Conflict:
        return _page(request, node, {"refusal": _last_admin()}, 409)
    return RedirectResponse("/admin/members?done=role", status_code=303)


def _last_admin() -> str:
    return _("Refused: this node must keep at least one enabled administrator.")


@router.post("/admin/members/{member_id}/disable", response_model=None)
def disable(request: Request, member_id: str, node: NodeDep, user: AdminPageDep) -> Response:
    try:
        member_ops.disable(node, _actor(user), member_id)
    except Conflict:
        return _page(request, node, {"refusal": _last_admin()}, 409)
    return RedirectResponse("/admin/members?done=disabled", status_code=303)


@router.post("/admin/members/{member_id}/enable", response_model=None)
def enable(member_id: str, node: NodeDep, user: AdminPageDep) -> Response:
    member_ops.enable(node, _actor(user), member_id)
    return RedirectResponse("/admin/members?done=enabled", status_code=303)
