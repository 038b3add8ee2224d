"""/disclosures: requests to and from this node (the follow-up of a hit, Europol Reg Art 20(2)).

Values and justifications are personal data: shown only after the member states why, in a POST
body (LED Art 25). One request, and the supervisors' approve and decline forms, are in
search_disclosure.py; a request opened here (from a hit or a search match) redirects there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.correlation import disclosure_ops, disclosures
from csnet.errors import CsnetError
from csnet.node import Node
from csnet.publishing import AUTHOR_ROLES
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n, search_disclosure
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render
from csnet.web.pages.search_common import (
    decode_cursor,
    encode_cursor,
    justification_error,
    label_of,
    node_names,
    type_labels,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
Text = Annotated[str, Form(max_length=4000)]


def _choice(value: str, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _list_context(
    node: Node,
    user: PageUser,
    *,
    direction: str = "",
    status: str = "",
    before: str = "",
    justification: str = "",
) -> dict[str, Any]:
    """The list (values only when `justification` is given: the domain audits it)."""
    cursor = decode_cursor(before, (datetime, str))
    shown = disclosure_ops.list_requests(
        node,
        user.justified(justification),
        status=_choice(status, disclosures.STATUSES),
        direction=_choice(direction, (disclosures.INCOMING, disclosures.OUTGOING)),
        before=None if cursor is None else (cursor[0], cursor[1]),
        limit=PAGE_SIZE,
    )
    last = shown[-1].request if len(shown) == PAGE_SIZE else None
    return {
        "current_section": "disclosures",
        "closed": False,
        "shown": shown,
        "direction": direction,
        "status": status,
        "justification": justification,
        "next_before": encode_cursor(
            None if last is None else (last.requested_at, last.request_id)
        ),
        "names": node_names(node),
        "types": type_labels(),
        "labels": {s.request.value_type: label_of(s.request.value_type) for s in shown},
        "node_id": node.node_id,
        "errors": {},
        "asked": {"peer": "", "value_type": "", "value": "", "justification": ""},
    }


@router.get("/disclosures", response_class=HTMLResponse)
def list_page(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    direction: str = "",
    status: str = "",
    before: str = "",
) -> HTMLResponse:
    i18n.activate(user.lang)
    if user.member.role not in AUTHOR_ROLES:
        # why: administrators may not consult personal data; the page says so, not an error
        return render(request, "disclosures.html", _closed_context(node))
    context = _list_context(node, user, direction=direction, status=status, before=before[:400])
    return render(request, "disclosures.html", context)


def _closed_context(node: Node) -> dict[str, Any]:
    return {
        "current_section": "disclosures",
        "closed": True,
        "shown": [],
        "direction": "",
        "status": "",
        "justification": "",
        "next_before": "",
        "names": {},
        "types": {},
        "labels": {},
        "node_id": node.node_id,
        "errors": {},
        "asked": {"peer": "", "value_type": "", "value": "", "justification": ""},
    }


@router.post("/disclosures/view", response_class=HTMLResponse)
def list_justified(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    justification: Text = "",
    direction: Annotated[str, Form(max_length=16)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    before: Annotated[str, Form(max_length=400)] = "",
) -> HTMLResponse:
    i18n.activate(user.lang)
    why = justification.strip()
    problem = justification_error(why) or (
        None if why else _("State why you need to see the values, e.g. a case number.")
    )
    filters = {"direction": direction, "status": status, "before": before}
    if problem:
        context = _list_context(node, user, **filters)
        context["errors"] = {"justification": problem}
        return render(request, "disclosures.html", context, status=422)
    context = _list_context(node, user, **filters, justification=why)
    return render(request, "disclosures.html", context)


@router.post("/disclosures", response_class=HTMLResponse)
def open_request(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    peer: Annotated[str, Form(max_length=64)] = "",
    value_type: Annotated[str, Form(max_length=32)] = "",
    value: Annotated[str, Form(max_length=600)] = "",
    justification: Text = "",
) -> Response:
    """Ask a peer what it holds on one value; its supervisors decide."""
    i18n.activate(user.lang)
    asked = {"peer": peer, "value_type": value_type, "value": value, "justification": justification}
    errors = _request_errors(asked)
    if not errors:
        try:
            env = disclosure_ops.open_request(
                node, user.caller, peer, value_type, value, justification
            )
        except CsnetError as exc:
            errors, status = {"request": exc.message}, exc.status
        else:
            return RedirectResponse(f"/disclosures/{env.id}?done=requested", status_code=303)
    else:
        status = 422
    context = _list_context(node, user)
    context.update(errors=errors, asked=asked)
    return render(request, "disclosures.html", context, status=status)


def _request_errors(asked: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not asked["peer"]:
        errors["peer"] = _("Choose the node to ask.")
    if asked["value_type"] not in type_labels():
        errors["value_type"] = _("Choose the type of the value.")
    if not asked["value"].strip():
        errors["value"] = _("Give the value to ask about.")
    if not asked["justification"].strip():
        errors["justification"] = _("State why you ask, e.g. a case number.")
    elif problem := justification_error(asked["justification"].strip()):
        errors["justification"] = problem
    return errors


router.include_router(search_disclosure.router)  # one request: its state and decisions
