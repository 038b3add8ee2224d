"""/admin/peers: the nodes this node federates with; invitations, the handshake, suspension.

The same services as `csnet peer …`: an invitation token is shown once, to hand over out of
band; accepting one runs the signed handshake with the inviting node through the node's peer
transport. Revocation is final.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.errors import CsnetError, NotFound
from csnet.federation import handshake, invitations, invite_ops, peer_ops
from csnet.federation.local import federation_id, own_fingerprint
from csnet.federation.peer_urls import INSECURE
from csnet.federation.peers import Peer, PeerStatus
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages.auth import AdminPageDep, PageUser
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)
CHANGES = {
    "suspend": PeerStatus.SUSPENDED,
    "resume": PeerStatus.ACTIVE,
    "revoke": PeerStatus.REVOKED,
}


def _actor(user: PageUser) -> str:
    return f"member:{user.member.id}"


def _handshake(node: Node, token: str, actor: str) -> Peer:
    """Accept through the node's own transport (tests wire nodes in process), else real HTTP."""
    if node.transport is not None:
        return handshake.accept(node, node.transport, token, actor)
    from csnet.web.peer_transport import HttpPeerTransport

    http = HttpPeerTransport.for_settings(node.settings)
    try:
        return handshake.accept(node, http, token, actor)
    finally:
        http.close()


def _invite_error(exc: CsnetError) -> str:
    if exc.error_code == INSECURE:
        return _("This node's public URL is plain http: peers must reach it over https.")
    return _("An invitation lasts 1 to %(n)s hours.") % {"n": invitations.MAX_HOURS}


def _page(
    request: Request, node: Node, extra: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    context: dict[str, Any] = {
        "current_section": "admin",
        "peers": peer_ops.list_peers(node),
        "own_fingerprint": own_fingerprint(node),
        "own_id": federation_id(node),
        "invitation": None,
        "errors": {},
        "token_value": "",
        "notice": request.query_params.get("done", ""),
    }
    context.update(extra or {})
    return render(request, "admin_peers.html", context, status=status)


@router.get("/admin/peers", response_class=HTMLResponse)
def show(request: Request, node: NodeDep, _user: AdminPageDep) -> HTMLResponse:
    return _page(request, node)


@router.post("/admin/peers/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    node: NodeDep,
    user: AdminPageDep,
    hours: Annotated[str, Form(max_length=4)] = "24",
) -> HTMLResponse:
    lifetime = int(hours) if hours.isascii() and hours.isdigit() else 0
    try:
        invitation = invite_ops.issue(node, _actor(user), hours=lifetime)
    except CsnetError as exc:
        return _page(request, node, {"errors": {"hours": _invite_error(exc)}}, 422)
    shown = {"token": invitation.token(), "expires": invitation.expires, "url": invitation.url}
    # why: answered directly, not redirected: the token exists in this one response only
    return _page(request, node, {"invitation": shown})


@router.post("/admin/peers/accept", response_model=None)
def accept(
    request: Request,
    node: NodeDep,
    user: AdminPageDep,
    token: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        peer = _handshake(node, token.strip(), _actor(user))
    except CsnetError as exc:
        errors = {"token": _("The handshake failed: %(reason)s") % {"reason": exc.message}}
        return _page(request, node, {"errors": errors, "token_value": token}, 422)
    return RedirectResponse(f"/admin/peers?done=peered#peer-{peer.node_id}", status_code=303)


@router.post("/admin/peers/{node_id}/{change}", response_model=None)
def set_status(node_id: str, change: str, node: NodeDep, user: AdminPageDep) -> Response:
    status = CHANGES.get(change)
    if status is None:
        raise NotFound(_("No such change."))
    peer_ops.set_status(node, _actor(user), node_id, status)
    return RedirectResponse(f"/admin/peers?done={change}", status_code=303)
