"""From the typed form to a `NewItem`, or to errors keyed by the form field they belong to.

Everything the domain will check is checked here first, with the same models, so a wrong value
is shown next to its field instead of as one message for the whole form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from csnet import safe_text
from csnet.errors import BadInput
from csnet.handling.categories import DataSubjectCategory
from csnet.handling.grading import AdmiraltyGrade, EuropolGrade
from csnet.handling.markings import Handling, Markings, Releasability
from csnet.items.kinds import validate_body
from csnet.publishing import NewItem
from csnet.web.pages.compose_form import ComposeForm, EvidenceRow, PersonRow
from csnet.web.pages.compose_messages import body_message, character_message
from csnet.web.pages.i18n import gettext as _

Errors = dict[str, str]


# why: Arabic, Persian and Urdu keyboards type the Arabic comma (U+060C), not the Latin one
LIST_SEPARATORS = re.compile("[,\u060c]")


def split_list(text: str) -> list[str]:
    """A comma-separated list, with Latin or Arabic commas."""
    return LIST_SEPARATORS.split(text)


@dataclass(frozen=True)
class Offered:
    """The audience a member may choose from: this node's groups and its active peers."""

    groups: frozenset[str]
    nodes: frozenset[str]
    members: frozenset[str] = frozenset()  # this node's members, nameable under TLP:RED


def _float(value: str, name: str, errors: Errors, message: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        errors[name] = message
        return None


def _place(form: ComposeForm, errors: Errors) -> dict[str, Any] | None:
    bad = _("Latitude and longitude are numbers in degrees, e.g. 35.1 and 24.9.")
    lat = _float(form.lat, "place", errors, bad)
    lon = _float(form.lon, "place", errors, bad)
    if "place" in errors:
        return None
    if (lat is None) != (lon is None):
        errors["place"] = _("Give both latitude and longitude, or neither.")
        return None
    name = form.place_name.strip()
    if not name:
        if lat is not None:
            errors["place_name"] = _("Name the place the coordinates point to.")
        return None
    place: dict[str, Any] = {"name": name}
    if lat is not None:
        place.update(lat=lat, lon=lon)
    return place


def _valid_until(value: str, errors: Errors) -> str | None:
    if not value.strip():
        return None
    return utc_time(value, "valid_until", errors)


def utc_time(value: str, name: str, errors: Errors) -> str | None:
    """A date and time typed in a form, as a body writes it; an error under `name` if it is none."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        errors[name] = _("Give a date and time, e.g. 2026-05-01 18:00 (UTC).")
        return None
    # why: the form asks for UTC; the body refuses times without a zone
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def person_body(row: PersonRow) -> dict[str, Any]:
    person: dict[str, Any] = {"name": row.name.strip(), "category": row.category}
    if row.nationality.strip():
        person["nationality"] = row.nationality.strip().upper()
    year = row.year_of_birth.strip()
    if year:
        person["year_of_birth"] = int(year) if year.isdigit() else year
    return person


def _evidence(row: EvidenceRow) -> dict[str, Any]:
    ref = {"name": row.name.strip(), "sha256": row.sha256.strip().lower()}
    if row.description.strip():
        ref["description"] = row.description.strip()
    return ref


def body_of(form: ComposeForm, errors: Errors) -> tuple[dict[str, Any], list[int], list[int]]:
    """The body dict, and for its persons and evidence the index of the row on the page."""
    body: dict[str, Any] = {"title": form.title.strip(), "text": form.text}
    if form.kind == "alert":
        body["urgency"] = form.urgency
        place = _place(form, errors)
        if place:
            body["place"] = place
        until = _valid_until(form.valid_until, errors)
        if until:
            body["valid_until"] = until
        if form.route.strip():
            body["route"] = form.route.strip()
    else:
        body["topic"] = form.topic
    tags = [t.strip() for t in split_list(form.tags) if t.strip()]
    if tags:
        body["tags"] = tags
    person_rows = [i for i, row in enumerate(form.persons) if not row.empty]
    evidence_rows = [i for i, row in enumerate(form.evidence) if not row.empty]
    if person_rows:
        body["persons"] = [person_body(form.persons[i]) for i in person_rows]
    if evidence_rows:
        body["evidence"] = [_evidence(form.evidence[i]) for i in evidence_rows]
    return body, person_rows, evidence_rows


def check_body(form: ComposeForm, errors: Errors) -> dict[str, Any]:
    body, person_rows, evidence_rows = body_of(form, errors)
    try:
        validate_body(form.kind, body)
    except BadInput as exc:
        for err in exc.details.get("errors", []):
            key, message = body_message(str(err["loc"]), person_rows, evidence_rows)
            if safe_text.refused_character(str(err.get("msg", ""))):
                message = character_message()
            errors.setdefault(key, message)
    return body


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in split_list(text) if c.strip())


def _review_by(value: str, errors: Errors) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors["review_by"] = _("Give the review date as a date, e.g. 2027-01-31.")
        return None


def markings_of(form: ComposeForm, subjects: set[str], errors: Errors) -> Markings | None:
    review_by = _review_by(form.review_by, errors)
    try:
        handling = Handling(code=form.handling, text=form.handling_text.strip() or None)
    except ValidationError:
        errors["handling"] = _("H3 needs the restriction written out; H0, H1 and H2 take no text.")
        return None
    try:
        releasability = Releasability(
            allow_countries=_codes(form.allow_countries),
            exclude_countries=_codes(form.exclude_countries),
        )
    except ValidationError:
        errors["releasability"] = _(
            "Countries are two-letter codes separated by commas, e.g. GR, IT."
        )
        return None
    unknown = releasability.unassigned_countries()
    if unknown:
        errors["releasability"] = _(
            "%(codes)s: not a country code. Countries are ISO two-letter codes, e.g. GR, IT."
        ) % {"codes": ", ".join(unknown)}
        return None
    try:
        return Markings(
            tlp=form.tlp,
            handling=handling,
            releasability=releasability,
            basis=form.basis,
            review_by=review_by,
            # why: the markings declare exactly the categories of the persons the item names
            subjects=tuple(DataSubjectCategory(s) for s in sorted(subjects)),
        )
    except ValidationError:
        errors["markings"] = _("Choose a TLP label and whether this is a fact or an assessment.")
        return None


def grading_of(form: ComposeForm, errors: Errors) -> AdmiraltyGrade | EuropolGrade | None:
    if not form.scheme:
        return None
    payload = {"scheme": form.scheme, "source": form.source, "information": form.information}
    try:
        if form.scheme == "admiralty":
            return AdmiraltyGrade.model_validate(payload)
        return EuropolGrade.model_validate(payload)
    except ValidationError:
        errors["grading"] = _(
            "Choose a source letter and an information number from the scheme chosen."
        )
        return None


def audience_of(
    form: ComposeForm, offered: Offered, errors: Errors
) -> tuple[list[str], list[str], list[str]]:
    groups = sorted(set(form.groups))
    nodes = sorted(set(form.nodes))
    members = sorted(set(form.members))
    listed = set(groups) <= offered.groups and set(nodes) <= offered.nodes
    if not listed or not set(members) <= offered.members:
        errors["audience"] = _("Choose the audience from the groups and nodes listed.")
    return groups, nodes, members


def build(form: ComposeForm, offered: Offered) -> tuple[NewItem | None, Errors]:
    """The item to publish, or the errors that keep it from being published."""
    errors: Errors = {}
    body = check_body(form, errors)
    subjects = {
        p.category for p in form.persons if not p.empty and p.category in set(DataSubjectCategory)
    }
    markings = markings_of(form, subjects, errors)
    grading = grading_of(form, errors)
    groups, nodes, members = audience_of(form, offered, errors)
    if errors or markings is None:
        return None, errors
    item = NewItem(
        kind=form.kind,
        body=body,
        markings=markings,
        grading=grading,
        audience_nodes=tuple(nodes),
        audience_groups=tuple(groups),
        audience_members=tuple(members),
    )
    return item, errors
