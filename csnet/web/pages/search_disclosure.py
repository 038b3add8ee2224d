"""/disclosures/{id}: one request, the justification prompt for its value, and (for the
holder's supervisors, on a pending incoming request) the approve and decline forms. A domain
refusal (not allowed, already decided, nothing to disclose) is shown on the form it answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.correlation import disclosure_ops, disclosures
from csnet.correlation.disclosure_ops import DECIDER_ROLES
from csnet.errors import BadInput, CsnetError, NotFound
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render
from csnet.web.pages.search_common import justification_error, label_of, node_names

router = APIRouter(include_in_schema=False)
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{8,64}$")]
Text = Annotated[str, Form(max_length=4000)]
DONE = {"requested", "approved", "declined"}


def _detail(
    request: Request,
    node: Node,
    user: PageUser,
    request_id: str,
    *,
    justification: str = "",
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    status: int = 200,
    done: str = "",
) -> HTMLResponse:
    shown = disclosure_ops.show(node, user.justified(justification), request_id)
    row = shown.request
    incoming = row.direction(node.node_id) == disclosures.INCOMING
    context = {
        "current_section": "disclosures",
        "closed": False,
        "shown": shown,
        "row": row,
        "incoming": incoming,
        "can_decide": incoming
        and row.status == disclosures.PENDING
        and user.member.role in DECIDER_ROLES,
        "label": label_of(row.value_type),
        "names": node_names(node),
        "justification": justification,
        "errors": errors or {},
        "entered": entered or {"reason": "", "item": "", "decision": ""},
        "done": done if done in DONE else "",
    }
    return render(request, "disclosure.html", context, status=status)


@router.get("/disclosures/{request_id}", response_class=HTMLResponse)
def detail_page(
    request: Request, node: NodeDep, user: PageUserDep, request_id: RequestId, done: str = ""
) -> HTMLResponse:
    i18n.activate(user.lang)
    return _detail(request, node, user, request_id, done=done)


@router.post("/disclosures/{request_id}/view", response_class=HTMLResponse)
def detail_justified(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    request_id: RequestId,
    justification: Text = "",
) -> HTMLResponse:
    i18n.activate(user.lang)
    why = justification.strip()
    problem = justification_error(why) or (
        None if why else _("State why you need to see the value, e.g. a case number.")
    )
    if problem:
        return _detail(
            request, node, user, request_id, errors={"justification": problem}, status=422
        )
    return _detail(request, node, user, request_id, justification=why)


@router.post("/disclosures/{request_id}/approve", response_class=HTMLResponse)
def approve(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    request_id: RequestId,
    reason: Text = "",
    item: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    i18n.activate(user.lang)
    entered = {"reason": reason, "item": item, "decision": "approve"}
    if item and not all(c in "0123456789abcdef" for c in item):
        return _refused(request, node, user, request_id, entered, "item", 422)
    try:
        disclosure_ops.approve(node, user.caller, request_id, reason, item.strip() or None)
    except CsnetError as exc:
        return _refusal(request, node, user, request_id, entered, exc)
    return RedirectResponse(f"/disclosures/{request_id}?done=approved", status_code=303)


@router.post("/disclosures/{request_id}/decline", response_class=HTMLResponse)
def decline(
    request: Request, node: NodeDep, user: PageUserDep, request_id: RequestId, reason: Text = ""
) -> Response:
    i18n.activate(user.lang)
    entered = {"reason": reason, "item": "", "decision": "decline"}
    try:
        disclosure_ops.decline(node, user.caller, request_id, reason)
    except CsnetError as exc:
        return _refusal(request, node, user, request_id, entered, exc)
    return RedirectResponse(f"/disclosures/{request_id}?done=declined", status_code=303)


def _refusal(
    request: Request,
    node: Node,
    user: PageUser,
    request_id: str,
    entered: dict[str, str],
    exc: CsnetError,
) -> HTMLResponse:
    """The domain's refusal on the form it answers; an unknown request is the error page."""
    if isinstance(exc, NotFound) and exc.message.startswith("no disclosure request"):
        raise exc
    if isinstance(exc, BadInput) and exc.error_code == "reason_required":
        return _refused(request, node, user, request_id, entered, "reason", 422)
    errors = {"decision": exc.message}
    return _detail(
        request, node, user, request_id, errors=errors, entered=entered, status=exc.status
    )


def _refused(
    request: Request,
    node: Node,
    user: PageUser,
    request_id: str,
    entered: dict[str, str],
    field: str,
    status: int,
) -> HTMLResponse:
    messages = {
        "reason": _("Give the reason for your decision: it is sent and logged."),
        "item": _("Give an item id (letters a-f and digits), or leave it empty."),
    }
    errors = {field: messages[field]}
    return _detail(request, node, user, request_id, errors=errors, entered=entered, status=status)
