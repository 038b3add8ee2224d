"""/admin: the overview of node administration (peers, sharing groups, members) and of the
audit log; supervisors see the audit log only. The sections live in admin_*.py."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from csnet.accounts import member_ops
from csnet.audit import reading
from csnet.federation.overview import counts as federation_counts
from csnet.web.deps import NodeDep
from csnet.web.pages import admin_audit, admin_groups, admin_members, admin_peers
from csnet.web.pages.auth import OverseerPageDep
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, node: NodeDep, user: OverseerPageDep) -> HTMLResponse:
    counts: dict[str, Any] = {"audit": reading.length(node)}
    if user.is_admin:
        counts.update(asdict(federation_counts(node)))
        every = member_ops.listing(node, include_disabled=True)
        counts["members"] = len(every)
        counts["disabled"] = sum(m.disabled for m in every)
    context = {"current_section": "admin", "counts": counts}
    return render(request, "admin.html", context)


for _section in (admin_peers, admin_groups, admin_members, admin_audit):
    router.include_router(_section.router)
