"""/items/{id}: one item with its markings banner, thread, acknowledgements, hits and history;
replies, acknowledgements and retraction. Items with personal data open only with a
justification, given in a POST body (LED Art 25), never in a URL."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.access import Caller
from csnet.alerts import actions
from csnet.errors import Forbidden
from csnet.node import Node
from csnet.reading import get_visible, restricted_header
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.item_access import checked_id
from csnet.web.pages.item_view import full_view
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)
Justification = Annotated[str, Form(max_length=2000)]
Errors = dict[str, str]


def _page(
    request: Request,
    node: Node,
    user: PageUser,
    item_id: str,
    caller: Caller,
    errors: Errors,
    status: int = 200,
) -> HTMLResponse:
    """The full page, or the header and a justification form when one is needed."""
    try:
        held = get_visible(node, caller, item_id)
    except Forbidden as exc:
        if exc.error_code != "justification_required":
            raise
        header = restricted_header(node, user.caller, item_id)
        context: dict[str, Any] = {"header": header, "action": "open", "errors": errors}
        code = 422 if errors else status
        return render(request, "_item_justify_page.html", context, status=code)
    context = {**full_view(node, caller, held), "errors": errors, "current_section": "feed"}
    return render(request, "item.html", context, status=status)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: str, node: NodeDep, user: PageUserDep) -> HTMLResponse:
    return _page(request, node, user, checked_id(item_id), user.caller, {})


@router.post("/items/{item_id}/open", response_class=HTMLResponse)
def open_item(
    request: Request,
    item_id: str,
    node: NodeDep,
    user: PageUserDep,
    justification: Justification = "",
) -> HTMLResponse:
    """The full page for a justification; the consultation is audited with it by the domain."""
    i18n.activate(user.lang)
    item_id = checked_id(item_id)
    if not justification.strip():
        errors = {"justification": _("Say why you need to read this item.")}
        return _page(request, node, user, item_id, user.caller, errors)
    return _page(request, node, user, item_id, user.justified(justification), {})


@router.post("/items/{item_id}/reply", response_class=HTMLResponse)
def reply(
    request: Request,
    item_id: str,
    node: NodeDep,
    user: PageUserDep,
    text: Annotated[str, Form(max_length=20000)] = "",
    justification: Justification = "",
) -> Response:
    i18n.activate(user.lang)
    item_id, caller = checked_id(item_id), user.justified(justification)
    if not text.strip():
        errors = {"reply": _("Write the reply.")}
        return _page(request, node, user, item_id, caller, errors, status=422)
    original = actions.reply(node, caller, item_id, text).replies_to
    return RedirectResponse(f"/items/{original}#thread", status_code=303)


@router.post("/items/{item_id}/ack", response_class=HTMLResponse)
def acknowledge(
    request: Request,
    item_id: str,
    node: NodeDep,
    user: PageUserDep,
    state: Annotated[Literal["seen", "actioned"], Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
    justification: Justification = "",
) -> Response:
    caller = user.justified(justification)
    ack = actions.acknowledge(node, caller, checked_id(item_id), state, comment.strip() or None)
    return RedirectResponse(f"/items/{ack.refers_to}#acks", status_code=303)


@router.post("/items/{item_id}/retract", response_class=HTMLResponse)
def retract(
    request: Request,
    item_id: str,
    node: NodeDep,
    user: PageUserDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    justification: Justification = "",
) -> Response:
    """A signed tombstone: the item is erased here and at every node that holds it."""
    i18n.activate(user.lang)
    item_id, caller = checked_id(item_id), user.justified(justification)
    if not reason.strip():
        errors = {"retract": _("Give the reason for retracting the item.")}
        return _page(request, node, user, item_id, caller, errors, status=422)
    tombstone = actions.erase(node, caller, item_id, reason.strip(), None)
    return RedirectResponse(f"/items/{tombstone.refers_to}/retracted", status_code=303)


@router.get("/items/{item_id}/retracted", response_class=HTMLResponse)
def retracted(request: Request, item_id: str, user: PageUserDep) -> HTMLResponse:
    """Shown after a retraction; says nothing of the item (it no longer exists here)."""
    return render(request, "_item_retracted.html", {"current_section": "feed"})
