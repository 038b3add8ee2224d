"""/admin: the overview of node administration (peers, sharing groups, members) and of the
audit log; supervisors see the audit log only. The sections live in admin_*.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from csnet import audit as log
from csnet.accounts import members
from csnet.federation import groups, peers
from csnet.federation.peers import PeerStatus
from csnet.web.deps import NodeDep
from csnet.web.pages import admin_audit, admin_groups, admin_members, admin_peers
from csnet.web.pages.auth import OverseerPageDep
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, node: NodeDep, user: OverseerPageDep) -> HTMLResponse:
    counts: dict[str, Any] = {}
    with node.store.read() as conn:
        head = log.read_head(conn)
        if user.is_admin:
            found = peers.list_peers(conn)
            counts["peers"] = len(found)
            counts["active_peers"] = sum(p.status is PeerStatus.ACTIVE for p in found)
            counts["groups"] = len(groups.load(conn).of(node.node_id))
            every = members.list_members(conn, include_disabled=True)
            counts["members"] = len(every)
            counts["disabled"] = sum(m.disabled for m in every)
    counts["audit"] = head.seq if head else 0
    context = {"current_section": "admin", "counts": counts}
    return render(request, "admin.html", context)


for _section in (admin_peers, admin_groups, admin_members, admin_audit):
    router.include_router(_section.router)
