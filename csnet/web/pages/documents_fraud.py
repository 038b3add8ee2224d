"""/documents/fraud-reports/new: file a document fraud report, opened from a check with its
document and the detection points the check found, or empty. Published through the same
service as compose (csnet.publishing.publish); the item page shows it.

The document travels from the check in a POST body, never in a URL: a document number
belongs to a person. The holder is optional, and never a suspect by default: a migrant who
used a false document is not thereby a suspect of smuggling.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from csnet.errors import BadInput
from csnet.node import Node
from csnet.publishing import publish
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser
from csnet.web.pages.compose_build import Errors
from csnet.web.pages.compose_choices import audience_options, offered, pickers
from csnet.web.pages.compose_form import ComposeForm, PersonRow, parse
from csnet.web.pages.documents import CheckerDep
from csnet.web.pages.documents_fraud_form import (
    FraudFields,
    build_report,
    detection_points,
    fraud_types,
    now_field,
    parse_report,
    prefilled,
)
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)
NEW = "/documents/fraud-reports/new"


def report_page(
    request: Request,
    node: Node,
    report: FraudFields,
    form: ComposeForm,
    errors: Errors,
    status: int = 200,
) -> HTMLResponse:
    i18n.activate(str(request.state.page["lang"]))  # the pickers' explanations are built here
    if not form.persons:
        form.persons.append(PersonRow())
    context: dict[str, Any] = {
        "report": report,
        "form": form,
        "errors": errors,
        "current_section": "documents",
        "fraud_types": fraud_types(),
        "detection_points": detection_points(),
        **pickers(node),
    }
    return render(request, "documents_fraud.html", context, status=status)


@router.get(NEW, response_class=HTMLResponse)
def new_report(request: Request, node: NodeDep, user: CheckerDep) -> HTMLResponse:
    return report_page(request, node, FraudFields(detected_at=now_field()), ComposeForm(), {})


@router.post(NEW, response_class=HTMLResponse)
async def report_from_check(request: Request, node: NodeDep, user: CheckerDep) -> HTMLResponse:
    """The form prefilled from a check (nothing is stored)."""
    posted = await request.form()
    return report_page(request, node, prefilled(posted), ComposeForm(), {})


@router.post("/documents/fraud-reports", response_class=HTMLResponse)
async def file_report(request: Request, node: NodeDep, user: CheckerDep) -> Response:
    posted = await request.form()  # the only await: the body, read without blocking
    # why a thread: publishing signs, writes and commits; the event loop must not wait on it
    return await run_in_threadpool(_filed, request, node, user, posted)


def _filed(request: Request, node: Node, user: PageUser, posted: FormData) -> Response:
    i18n.activate(user.lang)
    report, form = parse_report(posted), parse(posted)
    item, errors = build_report(report, form, offered(*audience_options(node)))
    if item is None:
        return report_page(request, node, report, form, errors, status=422)
    try:
        env = publish(node, user.caller, item)
    except BadInput as exc:
        return report_page(request, node, report, form, {"form": exc.message}, status=422)
    return RedirectResponse(f"/items/{env.id}", status_code=303)
