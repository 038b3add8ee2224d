"""/admin/groups: sharing groups this node owns or belongs to; the owner adds and removes member
nodes and issues fresh pre-screen keys (the same calls as `csnet group …`). The signed membership
items are queued for the members and delivered by the running node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.errors import CsnetError
from csnet.federation import group_ops, peer_ops
from csnet.federation.peers import PeerStatus
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages.auth import AdminPageDep, PageUser
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)


def _actor(user: PageUser) -> str:
    return f"member:{user.member.id}"


def _page(
    request: Request, node: Node, extra: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    known = peer_ops.list_peers(node)
    context: dict[str, Any] = {
        "current_section": "admin",
        "groups": group_ops.joined(node),
        "own_id": node.node_id,
        "names": {p.node_id: p.identity.name for p in known},
        "active_peers": [p for p in known if p.status is PeerStatus.ACTIVE],
        "prescreen": bool(node.settings.prescreen_bloom),
        "errors": {},
        "problem": "",
        "name_value": "",
        "notice": request.query_params.get("done", ""),
    }
    context.update(extra or {})
    return render(request, "admin_groups.html", context, status=status)


@router.get("/admin/groups", response_class=HTMLResponse)
def show(request: Request, node: NodeDep, _user: AdminPageDep) -> HTMLResponse:
    return _page(request, node)


@router.post("/admin/groups", response_model=None)
def create(
    request: Request,
    node: NodeDep,
    user: AdminPageDep,
    name: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    try:
        group_ops.create(node, name, _actor(user))
    except CsnetError as exc:
        extra = {"errors": {"name": exc.message}, "name_value": name}
        return _page(request, node, extra, exc.status)
    return RedirectResponse("/admin/groups?done=created", status_code=303)


def _change(request: Request, node: Node, done: str, run: Callable[[], object]) -> Response:
    """Run an owner-side change; a refusal (not owner, peer not active, …) is shown inline."""
    try:
        run()
    except CsnetError as exc:
        return _page(request, node, {"problem": exc.message}, exc.status)
    return RedirectResponse(f"/admin/groups?done={done}", status_code=303)


@router.post("/admin/groups/{group_id}/members", response_model=None)
def add_member(
    request: Request,
    group_id: str,
    node: NodeDep,
    user: AdminPageDep,
    member: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    return _change(
        request, node, "added", lambda: group_ops.add(node, group_id, member, _actor(user))
    )


@router.post("/admin/groups/{group_id}/members/{member}/remove", response_model=None)
def remove_member(
    request: Request, group_id: str, member: str, node: NodeDep, user: AdminPageDep
) -> Response:
    return _change(
        request, node, "removed", lambda: group_ops.remove(node, group_id, member, _actor(user))
    )


@router.post("/admin/groups/{group_id}/rekey", response_model=None)
def rekey(request: Request, group_id: str, node: NodeDep, user: AdminPageDep) -> Response:
    return _change(request, node, "rekeyed", lambda: group_ops.rekey(node, group_id, _actor(user)))
