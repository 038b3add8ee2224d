"""The compose form as typed: parsed from the posted fields, kept verbatim for re-rendering,
and turned into a `NewItem` (or into inline errors, one per field) without storing anything."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from csnet.items.bodies import MAX_EVIDENCE, MAX_PERSONS
from csnet.items.envelope import Envelope

KINDS = ("alert", "note")
SCHEMES = ("europol_4x4", "admiralty")
START_ROWS = 2
_ROW = re.compile(r"^(person|evidence)-(\d{1,3})-")


@dataclass
class PersonRow:
    name: str = ""
    category: str = ""
    nationality: str = ""
    year_of_birth: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.nationality.strip() or self.year_of_birth.strip())


@dataclass
class EvidenceRow:
    name: str = ""
    sha256: str = ""
    description: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.sha256.strip() or self.description.strip())


@dataclass
class ComposeForm:
    """Every value as the member typed it (strings), so nothing is lost when a field is wrong."""

    kind: str = "alert"
    title: str = ""
    text: str = ""
    urgency: str = "ROUTINE"
    topic: str = "modus_operandi"
    tags: str = ""
    route: str = ""
    valid_until: str = ""
    place_name: str = ""
    lat: str = ""
    lon: str = ""
    groups: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # named readers of a TLP:RED item
    tlp: str = "TLP:AMBER"
    handling: str = "H0"
    handling_text: str = ""
    basis: str = "fact"
    review_by: str = ""
    allow_countries: str = ""
    exclude_countries: str = ""
    scheme: str = ""
    source: str = ""
    information: str = ""
    persons: list[PersonRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    corrects: str = ""
    justification: str = ""

    def pad(self) -> ComposeForm:
        """At least the starting empty rows, so a new form shows where persons go."""
        while len(self.persons) < START_ROWS:
            self.persons.append(PersonRow())
        if not self.evidence:
            self.evidence.append(EvidenceRow())
        return self


_SCALARS = (
    *("kind", "title", "text", "urgency", "topic", "tags", "route", "valid_until"),
    *("place_name", "lat", "lon", "tlp", "handling", "handling_text", "basis", "review_by"),
    *("allow_countries", "exclude_countries", "scheme", "corrects", "justification"),
)


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _rows(form: FormData, prefix: str) -> list[int]:
    found = {int(m.group(2)) for key in form if (m := _ROW.match(key)) and m.group(1) == prefix}
    return sorted(found)


def parse(form: FormData) -> ComposeForm:
    """The posted fields, verbatim; rows renumbered in their order on the page."""
    data = ComposeForm()
    for name in _SCALARS:
        setattr(data, name, _text(form, name))
    # why: each scheme has its own radios, so switching schemes never keeps a foreign letter
    if data.scheme in SCHEMES:
        data.source = _text(form, f"{data.scheme}_source")
        data.information = _text(form, f"{data.scheme}_information")
    if data.kind not in KINDS:
        data.kind = "alert"
    data.groups = [v for v in form.getlist("groups") if isinstance(v, str)]
    data.nodes = [v for v in form.getlist("nodes") if isinstance(v, str)]
    data.members = [v for v in form.getlist("members") if isinstance(v, str)]
    data.persons = [
        PersonRow(*(_text(form, f"person-{i}-{f}") for f in PERSON_FIELDS))
        for i in _rows(form, "person")[:MAX_PERSONS]
    ]
    data.evidence = [
        EvidenceRow(*(_text(form, f"evidence-{i}-{f}") for f in EVIDENCE_FIELDS))
        for i in _rows(form, "evidence")[:MAX_EVIDENCE]
    ]
    return data


PERSON_FIELDS = ("name", "category", "nationality", "year_of_birth")
EVIDENCE_FIELDS = ("name", "sha256", "description")


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def from_envelope(env: Envelope) -> ComposeForm:
    """The form prefilled from an item, for a correction."""
    body = env.body
    place = body.get("place") or {}
    grading = env.grading
    markings = env.markings
    data = ComposeForm(
        kind=env.kind,
        title=str(body.get("title", "")),
        text=str(body.get("text", "")),
        urgency=str(body.get("urgency", "ROUTINE")),
        topic=str(body.get("topic", "modus_operandi")),
        tags=", ".join(body.get("tags") or ()),
        route=str(body.get("route") or ""),
        valid_until=str(body.get("valid_until") or "")[:16],
        place_name=str(place.get("name", "")),
        lat=_number(place.get("lat")),
        lon=_number(place.get("lon")),
        groups=list(env.audience.groups),
        nodes=list(env.audience.nodes),
        members=list(env.audience.members),
        tlp=markings.tlp.value,
        handling=markings.handling.code.value,
        handling_text=markings.handling.text or "",
        basis=markings.basis.value,
        review_by=markings.review_by.isoformat() if markings.review_by else "",
        allow_countries=", ".join(markings.releasability.allow_countries),
        exclude_countries=", ".join(markings.releasability.exclude_countries),
        scheme=grading.scheme if grading else "",
        source=grading.source if grading else "",
        information=grading.information if grading else "",
        corrects=env.id,
    )
    data.persons = [_person_row(p) for p in body.get("persons") or ()]
    data.evidence = [
        EvidenceRow(str(e["name"]), str(e["sha256"]), str(e.get("description") or ""))
        for e in body.get("evidence") or ()
    ]
    return data.pad()


def _person_row(raw: dict[str, Any]) -> PersonRow:
    return PersonRow(
        str(raw.get("name", "")),
        str(raw.get("category", "")),
        str(raw.get("nationality") or ""),
        _number(raw.get("year_of_birth")),
    )
