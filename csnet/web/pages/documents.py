"""/documents: check a travel document from its machine-readable zone, pasted or photographed.

The zone, the photo and the justification travel in the POST body only: URLs get logged. A
check consults personal data, so it needs a justification and is audited with it; node
administrators never consult documents. What the page shows: the decoded fields, the zone
with each failing or repaired character marked in place, and what this node and its peers
know of the document (csnet/documents/check.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from csnet import ocr
from csnet.errors import BadInput, CsnetError, Forbidden
from csnet.node import Node
from csnet.ocr.images import MAX_BYTES as MAX_PHOTO_BYTES
from csnet.ocr.tesseract import OcrUnavailable
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.documents_results import Looked, look_up, results_context
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render
from csnet.web.pages.search_common import character_error, justification_error

router = APIRouter(include_in_schema=False)
MAX_ZONE = 500  # the check's own limit on its text (csnet/documents/query.py)


def checker_page(user: PageUserDep) -> PageUser:
    if user.is_admin:
        # why: node administrators never consult personal data, documents included
        raise Forbidden("node administrators do not consult documents", code="role_denied")
    return user


CheckerDep = Annotated[PageUser, Depends(checker_page)]


@dataclass
class CheckForm:
    """The form as entered (kept on re-render), and its errors."""

    zone: str = ""
    justification: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    notice: str = ""  # a problem of this node, not of the input (no OCR)


def _context(form: CheckForm) -> dict[str, Any]:
    return {"current_section": "documents", "form": form, "errors": form.errors, "ran": False}


@router.get("/documents", response_class=HTMLResponse)
def documents_form(request: Request, node: NodeDep, user: CheckerDep) -> HTMLResponse:
    return render(request, "documents.html", _context(CheckForm()))


@router.post("/documents", response_class=HTMLResponse)
def documents_check(
    request: Request,
    node: NodeDep,
    user: CheckerDep,
    zone: Annotated[str, Form(max_length=2000)] = "",
    justification: Annotated[str, Form(max_length=4000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    i18n.activate(user.lang)
    form = CheckForm(zone.strip(), justification.strip())
    data = _photo_bytes(photo)
    _check_input(form, data)
    if form.errors:
        return render(request, "documents.html", _context(form), status=422)
    looked = _read(node, user, form, data)
    if looked is None:
        status = 503 if form.notice else 422
        return render(request, "documents.html", _context(form), status=status)
    context = _context(form) | {"ran": True} | results_context(node, looked, user.lang)
    return render(request, "documents.html", context)


def _photo_bytes(photo: UploadFile | None) -> bytes:
    if photo is None or not photo.filename:
        return b""
    # why: one byte over the OCR's limit is enough to refuse the photo without reading it all
    return photo.file.read(MAX_PHOTO_BYTES + 1)


def _check_input(form: CheckForm, data: bytes) -> None:
    if not form.zone and not data:
        form.errors["zone"] = _("Paste the machine-readable zone, or choose a photo of it.")
    elif len(form.zone) > MAX_ZONE:
        form.errors["zone"] = _("A zone is at most 90 characters; this text is much longer.")
    elif problem := character_error(form.zone):
        form.errors["zone"] = problem
    if not form.justification:
        form.errors["justification"] = _(
            "State why you check this document, such as a case number: the check is logged."
        )
    elif problem := justification_error(form.justification):
        form.errors["justification"] = problem


def _read(node: Node, user: PageUser, form: CheckForm, data: bytes) -> Looked | None:
    """The check of the photo's zone when there is a photo, else of the typed text; None with
    the form's error or notice set."""
    if data:
        read = _photo_zone(node, form, data)
        if read is None:
            return None
        form.zone = read  # why: the zone as read, so the officer can correct it and check again
    try:
        return look_up(node, user.justified(form.justification), form.zone)
    except BadInput as exc:
        form.errors["zone"] = _zone_message(exc)
        return None


def _photo_zone(node: Node, form: CheckForm, data: bytes) -> str | None:
    """The zone as tesseract read it, before repairs: the check repairs it again, reported."""
    try:
        found = ocr.read_photo(data, node.now().date())
    except OcrUnavailable:
        form.notice = _(
            "This node cannot read photos now. Type the zone instead: the two or three lines "
            "of letters, digits and < at the bottom of the page."
        )
        return None
    except CsnetError as exc:  # bad_image, image_too_large
        if exc.error_code == "image_too_large":
            form.errors["photo"] = _("The photo is too large. Take it again at a lower size.")
        else:
            form.errors["photo"] = _("This file is not a photo this page can read (JPEG, PNG).")
        return None
    if found.reading is None or found.zone_text is None:
        form.errors["photo"] = _(
            "No machine-readable zone was found in the photo. Take it again, flat, sharp and "
            "close, or type the zone."
        )
        return None
    return found.zone_text


def _zone_message(exc: BadInput) -> str:
    if exc.error_code == "ambiguous_query":
        return _("This reads as more than one document: write it as STATE:TYPE:NUMBER.")
    return _(
        "This is not a zone or a document. Paste the two or three lines of the zone, or write "
        "the document as STATE:TYPE:NUMBER, e.g. PAK:P:AB1234567."
    )
