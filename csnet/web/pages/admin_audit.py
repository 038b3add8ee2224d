"""/admin/audit: the hash-chained audit log (LED Art 25) for supervisors and administrators,
newest first, filtered by actor, action, item and period; and a check of the whole chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from csnet import audit as log
from csnet.accounts import member_ops
from csnet.accounts.member_ops import member_actor
from csnet.audit import AuditAction, reading
from csnet.errors import NotFound
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages.auth import OverseerPageDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)
PAGE = 50
MAX_OFFSET = 10**7
ACTIONS = tuple(action.value for action in AuditAction)


@dataclass(frozen=True)
class Query:
    """The filters as typed (kept for the form and the paging links) and as the log wants them."""

    values: dict[str, str]
    filters: log.AuditFilter
    errors: dict[str, str]
    offset: int


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _offset(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_OFFSET else 0


def read_query(request: Request, node: Node) -> Query:
    params = request.query_params
    values = {
        k: params.get(k, "").strip()[:120] for k in ("actor", "action", "item_id", "since", "until")
    }
    errors: dict[str, str] = {}
    if values["action"] and values["action"] not in ACTIONS:
        errors["action"] = _("Choose one of the actions.")
    since, until = _day(values["since"]), _day(values["until"])
    for name, parsed in (("since", since), ("until", until)):
        if values[name] and parsed is None:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
    filters = log.AuditFilter(
        since=datetime.combine(since, time(), UTC) if since else None,
        # why: the form's end date is inclusive; the log's `until` is exclusive
        until=datetime.combine(until + timedelta(days=1), time(), UTC) if until else None,
        actor=_actor(node, values["actor"]) if values["actor"] else None,
        item_id=values["item_id"][:64] or None,
        action=AuditAction(values["action"]) if values["action"] in ACTIONS else None,
    )
    return Query(values, filters, errors, _offset(params.get("offset", "0")))


def _actor(node: Node, text: str) -> str:
    """An actor as logged ('member:…', 'peer:…'), or a member's user name for convenience."""
    if ":" in text or text == "system":
        return text
    try:
        return member_actor(member_ops.find(node, text).id)
    except NotFound:  # an unknown name simply matches nothing
        return member_actor(text)


def _page(request: Request, node: Node, extra: dict[str, Any] | None = None) -> HTMLResponse:
    query = read_query(request, node)
    rows: list[dict[str, Any]] = []
    if not query.errors:
        rows = reading.entries(node, query.filters, limit=PAGE + 1, offset=query.offset)
    names = {m.id: m.username for m in member_ops.listing(node, include_disabled=True)}
    kept = {k: v for k, v in query.values.items() if v}
    more = len(rows) > PAGE
    context: dict[str, Any] = {
        "current_section": "admin",
        "rows": rows[:PAGE],
        "actions": ACTIONS,
        "values": query.values,
        "errors": query.errors,
        "names": names,
        "filtered": bool(kept),
        "next_url": "/admin/audit?" + urlencode({**kept, "offset": query.offset + PAGE})
        if more
        else "",
        "report": None,
    }
    context.update(extra or {})
    return render(request, "admin_audit.html", context, status=422 if query.errors else 200)


@router.get("/admin/audit", response_class=HTMLResponse)
def show(request: Request, node: NodeDep, _user: OverseerPageDep) -> HTMLResponse:
    return _page(request, node)


@router.post("/admin/audit/verify", response_class=HTMLResponse)
def verify(request: Request, node: NodeDep, _user: OverseerPageDep) -> HTMLResponse:
    return _page(request, node, {"report": reading.check_chain(node)})
