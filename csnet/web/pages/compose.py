"""/compose: write an alert or a note, with its audience, markings, grading, persons and evidence;
and the correction of an item, which is the same form prefilled."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from csnet.alerts import actions
from csnet.errors import BadInput, Forbidden
from csnet.items.bodies import MAX_EVIDENCE, MAX_PERSONS
from csnet.node import Node
from csnet.publishing import publish
from csnet.reading import get_visible, restricted_header
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.compose_build import Errors, build
from csnet.web.pages.compose_choices import audience_options, offered, pickers
from csnet.web.pages.compose_form import (
    KINDS,
    ComposeForm,
    EvidenceRow,
    PersonRow,
    from_envelope,
    parse,
)
from csnet.web.pages.item_access import checked_id
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)


def compose_page(
    request: Request, node: Node, form: ComposeForm, errors: Errors, status: int = 200
) -> HTMLResponse:
    i18n.activate(str(request.state.page["lang"]))  # the pickers' explanations are built here
    context: dict[str, Any] = {
        "form": form,
        "errors": errors,
        "current_section": "compose",
        **pickers(node),
    }
    return render(request, "compose.html", context, status=status)


@router.get("/compose", response_class=HTMLResponse)
def compose_get(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    kind: Annotated[str, Query(max_length=10)] = "alert",
    corrects: Annotated[str, Query(pattern=r"^[0-9a-f]{0,64}$")] = "",
) -> HTMLResponse:
    if corrects:
        return _correction_form(request, node, user, corrects, "")
    form = ComposeForm(kind=kind if kind in KINDS else "alert")
    return compose_page(request, node, form.pad(), {})


@router.post("/items/{item_id}/correct", response_class=HTMLResponse)
def correct_form(
    request: Request,
    item_id: str,
    node: NodeDep,
    user: PageUserDep,
    justification: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    """The correction form for an item with personal data: opened with a justification."""
    return _correction_form(request, node, user, checked_id(item_id), justification)


def _correction_form(
    request: Request, node: Node, user: PageUser, item_id: str, justification: str
) -> HTMLResponse:
    try:
        held = get_visible(node, user.justified(justification), item_id)
    except Forbidden as exc:
        if exc.error_code != "justification_required":
            raise
        # why: the justification goes in a POST body, never in a URL
        context = {"header": restricted_header(node, user.caller, item_id), "action": "correct"}
        return render(request, "_item_justify_page.html", context)
    form = from_envelope(held.envelope)
    form.justification = justification
    return compose_page(request, node, form, {})


@router.get("/compose/person-row", response_class=HTMLResponse)
def person_row(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    i: Annotated[int, Query(ge=0, lt=MAX_PERSONS)] = 0,
) -> HTMLResponse:
    """One more empty person row (htmx), with the button counting on."""
    context = {
        "i": i,
        "p": PersonRow(),
        "errors": {},
        "categories": pickers(node)["categories"],
        "next_row": i + 1,
        "oob": True,
    }
    return render(request, "_compose_person_added.html", context)


@router.post("/compose", response_class=HTMLResponse)
async def compose_post(request: Request, node: NodeDep, user: PageUserDep) -> Response:
    posted = await request.form()  # the only await: the body, read without blocking
    # why a thread: publishing signs, writes and commits; the event loop must not wait on it
    return await run_in_threadpool(_compose_posted, request, node, user, posted)


def _compose_posted(request: Request, node: Node, user: PageUser, posted: FormData) -> Response:
    i18n.activate(user.lang)
    form = parse(posted)
    if posted.get("add_person") or posted.get("add_evidence"):
        # no-JS "add a row": the same form again, one row longer, nothing published
        if posted.get("add_person") and len(form.persons) < MAX_PERSONS:
            form.persons.append(PersonRow())
        if posted.get("add_evidence") and len(form.evidence) < MAX_EVIDENCE:
            form.evidence.append(EvidenceRow())
        return compose_page(request, node, form, {})
    item, errors = build(form, offered(*audience_options(node)))
    if item is None:
        return compose_page(request, node, form, errors, status=422)
    try:
        if form.corrects:
            env = actions.correct(node, user.justified(form.justification), form.corrects, item)
        else:
            env = publish(node, user.caller, item)
    except BadInput as exc:
        return compose_page(request, node, form, {"form": exc.message}, status=422)
    return RedirectResponse(f"/items/{env.id}", status_code=303)
