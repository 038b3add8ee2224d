"""/hits: two items that share an identifier, newest first, each with why (which value, which
items, since when). A hit on personal data shows its value only with a justification, given
in a POST body (LED Art 25); the domain audits what is shown in full."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from csnet.correlation.hits import list_hits
from csnet.errors import BadInput
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render
from csnet.web.pages.search_common import (
    decode_cursor,
    encode_cursor,
    justification_error,
    label_of,
    node_names,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
CURSOR = (datetime, str, datetime, str, int)


def _page(
    request: Request,
    node: Node,
    user: PageUser,
    justification: str,
    before: str,
    *,
    required: bool = False,
) -> HTMLResponse:
    errors: dict[str, str] = {}
    if required and not justification:
        errors["justification"] = _("State why you need to see the values, e.g. a case number.")
    if problem := justification_error(justification):
        errors["justification"] = problem
    try:
        cursor = decode_cursor(before, CURSOR)
    except BadInput as exc:
        errors["before"] = exc.message
    context: dict[str, Any] = {
        "current_section": "hits",
        "justification": justification,
        "errors": errors,
        "hits": [],
        "names": node_names(node),
        "labels": {},
        "next_before": "",
        "before": before,
        "restricted": False,
    }
    if errors:
        return render(request, "hits.html", context, status=422)
    page = list_hits(node, user.justified(justification), limit=PAGE_SIZE, before=cursor)
    context.update(
        hits=page.hits,
        labels={h.value_type: label_of(h.value_type) for h in page.hits},
        next_before=encode_cursor(page.next_before),
        restricted=any(h.restricted for h in page.hits),
    )
    return render(request, "hits.html", context)


@router.get("/hits", response_class=HTMLResponse)
def hits_page(request: Request, node: NodeDep, user: PageUserDep, before: str = "") -> HTMLResponse:
    """Without a justification: hits on personal data are listed without their value."""
    i18n.activate(user.lang)
    return _page(request, node, user, "", before[:400])


@router.post("/hits", response_class=HTMLResponse)
def hits_justified(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    justification: Annotated[str, Form(max_length=4000)] = "",
    before: Annotated[str, Form(max_length=400)] = "",
) -> HTMLResponse:
    i18n.activate(user.lang)
    return _page(request, node, user, justification.strip(), before, required=True)
