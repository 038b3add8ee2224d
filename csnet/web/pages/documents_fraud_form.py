"""The fraud report form as typed, and from it a `document_fraud` item or errors by field.

The markings, grading, audience and the holder's row are the compose form's own fields, parsed
and checked by the same code (compose_form, compose_build); the document, fraud type, detection
points, time, place and description are the report's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData

from csnet import safe_text
from csnet.errors import BadInput
from csnet.handling.categories import DataSubjectCategory
from csnet.indicators import registry
from csnet.items.document_bodies import FRAUD_KIND, DetectionPoint, FraudType
from csnet.items.kinds import validate_body
from csnet.publishing import NewItem
from csnet.web.pages.compose_build import (
    Errors,
    Offered,
    audience_of,
    grading_of,
    markings_of,
    person_body,
    utc_time,
)
from csnet.web.pages.compose_form import ComposeForm, PersonRow
from csnet.web.pages.compose_messages import body_message, character_message
from csnet.web.pages.i18n import gettext as _

REPORT_FIELDS = (
    *("title", "state", "doc_type", "number", "series", "fraud_type", "detected_at"),
    *("place_name", "text"),
)


@dataclass
class FraudFields:
    """The report's own fields, as typed (strings), kept on re-render."""

    title: str = ""
    state: str = ""
    doc_type: str = "P"
    number: str = ""
    series: str = ""
    fraud_type: str = ""
    points: list[str] = field(default_factory=list)
    detected_at: str = ""
    place_name: str = ""
    text: str = ""


def now_field() -> str:
    """Now, as a datetime-local field shows it (UTC, to the minute)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def parse_report(form: FormData) -> FraudFields:
    fields = FraudFields()
    for name in REPORT_FIELDS:
        setattr(fields, name, _text(form, name))
    fields.points = [p for p in form.getlist("points") if isinstance(p, str)]
    return fields


def prefilled(form: FormData) -> FraudFields:
    """The form opened from a check: its document and the points the check found."""
    fields = parse_report(form)
    known = {p.value for p in DetectionPoint}
    fields.points = [p for p in fields.points if p in known]
    fields.detected_at = now_field()
    if fields.state and fields.number:
        document = ":".join((fields.state, fields.doc_type, fields.number))
        fields.title = _("Fraudulent document %(document)s") % {"document": document}
    return fields


def _document(fields: FraudFields, errors: Errors) -> dict[str, str] | None:
    text = ":".join(part.strip() for part in (fields.state, fields.doc_type, fields.number))
    try:
        state, doc_type, number = registry.parse("document", text).value.split(":")
    except BadInput:
        errors["document"] = _(
            "Give the issuing state (e.g. PAK or D), the type (P, I, V …) and the number "
            "(4 to 20 letters and digits)."
        )
        return None
    document = {"state": state, "doc_type": doc_type, "number": number}
    if fields.series.strip():
        document["series"] = fields.series.strip()
    return document


def report_body(fields: FraudFields, holder: PersonRow | None, errors: Errors) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": fields.title.strip(),
        "document": _document(fields, errors),
        "fraud_type": fields.fraud_type,
        "detection_points": list(dict.fromkeys(fields.points)),
        "detected_at": utc_time(fields.detected_at, "detected_at", errors),
        "text": fields.text,
    }
    if fields.place_name.strip():
        body["place"] = {"name": fields.place_name.strip()}
    if holder is not None and not holder.empty:
        body["persons"] = [person_body(holder)]
    return body


def _messages() -> dict[str, str]:
    return {
        "title": _("Give a title (up to 200 characters)."),
        "document": _("Give the issuing state, the type and the number of the document."),
        "fraud_type": _("Choose the fraud type."),
        "detection_points": _("Tick at least one thing that gave the document away."),
        "detected_at": _("Give a date and time, e.g. 2026-05-01 18:00 (UTC)."),
        "place": _("The place is a name of up to 200 characters."),
        "text": _("Describe what was found (up to 20,000 characters)."),
    }


def _body_errors(exc: BadInput, errors: Errors) -> None:
    messages = _messages()
    for err in exc.details.get("errors", []):
        parts = str(err["loc"]).split(".")
        if parts[0] == "persons":
            key, message = body_message(str(err["loc"]), [0], [])
        else:
            key = parts[0] if parts[0] in messages else "form"
            message = messages.get(key, _("Some values are not valid."))
        if safe_text.refused_character(str(err.get("msg", ""))):
            message = character_message()
        errors.setdefault(key, message)


def build_report(
    fields: FraudFields, form: ComposeForm, offered: Offered
) -> tuple[NewItem | None, Errors]:
    """The report to publish, or the errors that keep it from being published."""
    errors: Errors = {}
    holder = form.persons[0] if form.persons else None
    body = report_body(fields, holder, errors)
    try:
        validate_body(FRAUD_KIND, body)
    except BadInput as exc:
        _body_errors(exc, errors)
    subjects = {holder.category} if holder and not holder.empty else set()
    markings = markings_of(form, subjects & set(DataSubjectCategory), errors)
    grading = grading_of(form, errors)
    groups, nodes, members = audience_of(form, offered, errors)
    if errors or markings is None:
        return None, errors
    item = NewItem(
        kind=FRAUD_KIND,
        body=body,
        markings=markings,
        grading=grading,
        audience_nodes=tuple(nodes),
        audience_groups=tuple(groups),
        audience_members=tuple(members),
    )
    return item, errors


def fraud_types() -> list[str]:
    return [t.value for t in FraudType]


def detection_points() -> list[str]:
    return [p.value for p in DetectionPoint]
