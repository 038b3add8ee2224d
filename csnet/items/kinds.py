"""The one registry of item kinds, and the checks every draft and every received item passes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from csnet.errors import BadInput
from csnet.handling.categories import PersonalDatum
from csnet.handling.markings import Markings
from csnet.indicators.base import Indicator
from csnet.items.bodies import Ack, Alert, GroupChange, Note, RelayConsent, Reply, Tombstone
from csnet.items.disclosure_bodies import Disclosure, DisclosureRequest
from csnet.items.document_bodies import FRAUD_KIND, DocumentFraud, fraud_stated
from csnet.items.envelope import Envelope, ItemFields
from csnet.items.indicator_body import INDICATOR_KIND, IndicatorBody, indicator_stated
from csnet.items.keys import NODE_ID_PATTERN
from csnet.items.prescreen_key import PrescreenKey

KINDS: dict[str, type[BaseModel]] = {}
REQUIRED_LINKS: dict[str, frozenset[str]] = {}
KIND_PROJECTIONS: dict[str, tuple[str, ...]] = {}  # the kind's own projections (csnet/pipeline)
Stated = Callable[[Mapping[str, Any]], list[Indicator]]
STATED: dict[str, Stated] = {}  # kinds that state typed identifiers, not left to extraction
LINK_FIELDS = ("supersedes", "replies_to", "refers_to")
_KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_MAX_ERRORS = 20


def register_kind(
    name: str,
    model: type[BaseModel],
    *,
    requires: tuple[str, ...] = (),
    projections: tuple[str, ...] = (),
    stated: Stated | None = None,
) -> None:
    """Register a body model; `requires` names the envelope links the kind cannot go without,
    `projections` the projections its items need besides those of every kind
    (csnet/pipeline/projections.py), `stated` reads the typed identifiers a body states."""
    if not _KIND_NAME.fullmatch(name):
        raise ValueError(f"bad kind name {name!r}")
    if KINDS.get(name, model) is not model:
        raise ValueError(f"kind {name!r} is already registered with another model")
    unknown = set(requires) - set(LINK_FIELDS)
    if unknown:
        raise ValueError(f"unknown link fields {sorted(unknown)}")
    KINDS[name] = model
    REQUIRED_LINKS[name] = frozenset(requires)
    KIND_PROJECTIONS[name] = tuple(projections)
    if stated is not None:
        STATED[name] = stated


def stated_indicators(kind: str, body: Mapping[str, Any]) -> list[Indicator]:
    """The typed identifiers a body of `kind` states (none for kinds that state none)."""
    reader = STATED.get(kind)
    return [] if reader is None else reader(body)


def body_model(kind: str) -> type[BaseModel]:
    try:
        return KINDS[kind]
    except KeyError:
        raise BadInput(f"unknown item kind {kind!r}", code="unknown_kind") from None


def validate_body(kind: str, body: dict[str, Any]) -> BaseModel:
    """Validate a JSON-form body against its kind's model (BadInput unknown_kind / bad_body)."""
    model = body_model(kind)
    if not isinstance(body, dict):
        raise BadInput("a body is a JSON object", code="bad_body")
    try:
        # why: validating the JSON text lets strict models take enums and times as strings
        text = json.dumps(body, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"body is not JSON: {exc}", code="bad_body") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = _error_list(exc)
        raise BadInput(
            f"{kind} body is invalid: {_summary(errors, exc.error_count())}",
            code="bad_body",
            details={"errors": errors},
        ) from None


def _summary(errors: list[dict[str, str]], count: int) -> str:
    """The first problem, naming the field (and, for a choice, the values allowed)."""
    first = f"{errors[0]['loc'] or 'body'}: {errors[0]['msg']}" if errors else "invalid"
    return first if count <= 1 else f"{first} (and {count - 1} more problem(s))"


def _error_list(exc: ValidationError) -> list[dict[str, str]]:
    # why: never echo the input back; bodies may carry personal data
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    return [
        {"loc": ".".join(str(part) for part in err["loc"]), "msg": err["msg"]}
        for err in errors[:_MAX_ERRORS]
    ]


def persons_in(body: BaseModel) -> tuple[PersonalDatum, ...]:
    """The persons a body mentions: by convention every kind keeps them in its `persons` field.

    (One place to look keeps this cheap on the hot path and easy to audit.)
    """
    persons = getattr(body, "persons", ())
    return tuple(p for p in persons if isinstance(p, PersonalDatum))


def check_links(item: ItemFields) -> None:
    """Links the kind needs are present; an envelope never links to itself."""
    for link in sorted(REQUIRED_LINKS.get(item.kind, frozenset())):
        if getattr(item, link) is None:
            raise BadInput(f"a {item.kind} needs {link}", code="missing_link")
    if isinstance(item, Envelope) and item.id in {getattr(item, f) for f in LINK_FIELDS}:
        raise BadInput("an item cannot link to itself", code="self_link")


def check_subjects(markings: Markings, persons: tuple[PersonalDatum, ...]) -> None:
    """Markings must declare every category of person the body mentions (LED Art 6)."""
    missing = {p.category for p in persons} - set(markings.subjects)
    if missing:
        names = sorted(c.value for c in missing)
        raise BadInput(
            f"markings do not declare data subjects {names}",
            code="undeclared_subjects",
            details={"missing": names},
        )


def check_releasability(markings: Markings) -> None:
    """Releasability names real countries and well-formed node ids: a misspelt exclusion
    ("EL" for Greece, "UK" for GB) would otherwise exclude nobody, silently."""
    rel = markings.releasability
    bad_countries = rel.unassigned_countries()
    if bad_countries:
        raise BadInput(
            f"releasability: {', '.join(bad_countries)} is not an officially assigned "
            "ISO 3166-1 alpha-2 country code",
            code="bad_markings",
            details={"countries": list(bad_countries)},
        )
    nodes = set(rel.allow_nodes) | set(rel.exclude_nodes)
    bad_nodes = sorted(n for n in nodes if not re.fullmatch(NODE_ID_PATTERN, n))
    if bad_nodes:
        raise BadInput(
            f"releasability: {', '.join(map(repr, bad_nodes))} is not a node id",
            code="bad_markings",
            details={"nodes": bad_nodes},
        )


def validate_draft(item: ItemFields) -> BaseModel:
    """All content checks for a draft before sealing, and for a received item after verifying."""
    body = validate_body(item.kind, item.body)
    check_links(item)
    check_releasability(item.markings)
    check_subjects(item.markings, persons_in(body))
    return body


register_kind("alert", Alert)
register_kind("note", Note)
register_kind("reply", Reply, requires=("replies_to",))
register_kind("ack", Ack, requires=("refers_to",))
# an erased disclosure request takes its state along (csnet/correlation/disclosures.py)
register_kind("tombstone", Tombstone, requires=("refers_to",), projections=("disclosures",))
# sharing-group membership (csnet/federation/groups.py)
register_kind("group", GroupChange, projections=("groups",))
register_kind("consent", RelayConsent)  # H2 consent to pass an item on (federation/consent.py)
# an identifier seen in the field
register_kind(INDICATOR_KIND, IndicatorBody, stated=indicator_stated)
# a fraudulent document, as detected (csnet/items/document_bodies.py)
register_kind(FRAUD_KIND, DocumentFraud, stated=fraud_stated)
# after a hit, and the holder's answer to it (csnet/correlation/disclosures.py)
register_kind("disclosure_request", DisclosureRequest, projections=("disclosures",))
register_kind("disclosure", Disclosure, requires=("refers_to",), projections=("disclosures",))
register_kind("prescreen_key", PrescreenKey)  # group key for Bloom pre-screens (prescreen.py)
