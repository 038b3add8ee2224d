"""Table-driven body validation, link rules, declared data subjects and the registry."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from csnet.errors import BadInput
from csnet.handling.categories import DataSubjectCategory, PersonalDatum
from csnet.handling.markings import Markings
from csnet.items.bodies import FRONTEX_ROUTES, Alert, Urgency
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.kinds import (
    KINDS,
    body_model,
    check_links,
    persons_in,
    register_kind,
    validate_body,
    validate_draft,
)

ID = "a" * 64
ALERT = {"title": "Boat", "text": "Leaving tonight", "urgency": "FLASH"}
NOTE = {"title": "Hidden compartment", "text": "Behind the fuel tank", "topic": "concealment"}
PERSON = {"name": "Skipper X", "category": "suspect"}

VALID: list[tuple[str, dict[str, Any]]] = [
    ("alert", ALERT),
    ("alert", ALERT | {"place": {"name": "Zuwara"}}),
    ("alert", ALERT | {"place": {"name": "Zuwara", "lat": 32, "lon": -12.5}}),
    ("alert", ALERT | {"place": {"name": "Pole", "lat": -90, "lon": 180}}),
    ("alert", ALERT | {"valid_until": "2024-05-02T00:00:00+02:00"}),
    ("alert", ALERT | {"tags": ["t"] * 32, "route": FRONTEX_ROUTES[2]}),
    ("alert", ALERT | {"route": "any free text route"}),
    ("alert", ALERT | {"persons": [PERSON] * 100}),
    ("alert", ALERT | {"title": "x" * 200, "text": "y" * 20000}),
    ("note", NOTE),
    ("note", NOTE | {"topic": "modus_operandi", "tags": ["ads"], "persons": [PERSON]}),
    ("reply", {"text": "Confirmed, we are on it"}),
    ("ack", {"state": "seen", "at": "2024-05-01T12:00:00Z"}),
    ("ack", {"state": "actioned", "at": "2024-05-01T12:00:00Z", "comment": "boarded"}),
    ("tombstone", {"reason": "entered in error"}),
    ("tombstone", {"reason": "unlawful", "legal_basis": "LED Art 16"}),
]

INVALID: list[tuple[str, dict[str, Any]]] = [
    ("alert", {}),
    (
        "disclosure_request",
        {"value_type": "phone", "value": "+92\x1b[2J", "justification": "case 7"},
    ),
    ("alert", ALERT | {"title": ""}),
    ("alert", ALERT | {"title": "   "}),
    ("alert", ALERT | {"title": "x" * 201}),
    ("alert", ALERT | {"text": "y" * 20001}),
    ("alert", ALERT | {"urgency": "flash"}),
    ("alert", ALERT | {"urgency": 1}),
    ("alert", ALERT | {"place": {"name": "Zuwara", "lat": 32.9}}),
    ("alert", ALERT | {"place": {"name": "Zuwara", "lat": 91, "lon": 0}}),
    ("alert", ALERT | {"place": {"name": "Zuwara", "lat": 0, "lon": -180.5}}),
    ("alert", ALERT | {"place": {"name": "Zuwara", "lat": "1", "lon": "2"}}),
    ("alert", ALERT | {"place": {"name": "Zuwara", "lat": True, "lon": 2}}),
    ("alert", ALERT | {"valid_until": "2024-05-02T00:00:00"}),  # no zone
    ("alert", ALERT | {"tags": ["t"] * 33}),
    ("alert", ALERT | {"tags": [""]}),
    ("alert", ALERT | {"tags": ["t" * 65]}),
    ("alert", ALERT | {"route": "r" * 101}),
    ("alert", ALERT | {"persons": [PERSON] * 101}),
    ("alert", ALERT | {"persons": [{"name": "X"}]}),
    ("alert", ALERT | {"persons": [PERSON | {"category": "migrant"}]}),
    ("alert", ALERT | {"colour": "red"}),
    ("note", NOTE | {"topic": "gossip"}),
    ("note", NOTE | {"urgency": "FLASH"}),
    ("reply", {"text": ""}),
    ("reply", {}),
    ("ack", {"state": "read", "at": "2024-05-01T12:00:00Z"}),
    ("ack", {"state": "seen"}),
    ("ack", {"state": "seen", "at": "2024-05-01T12:00:00Z", "comment": "c" * 2001}),
    ("tombstone", {"reason": ""}),
    ("tombstone", {"reason": "r", "legal_basis": "b" * 201}),
]


@pytest.mark.parametrize(("kind", "body"), VALID)
def test_valid_bodies(kind: str, body: dict[str, Any]) -> None:
    model = validate_body(kind, body)
    assert isinstance(model, KINDS[kind])


@pytest.mark.parametrize(("kind", "body"), INVALID)
def test_invalid_bodies(kind: str, body: dict[str, Any]) -> None:
    with pytest.raises(BadInput) as info:
        validate_body(kind, body)
    assert info.value.error_code == "bad_body"
    errors = info.value.details["errors"]
    assert errors and all(set(err) == {"loc", "msg"} for err in errors)  # no input echoed


def test_body_must_be_json() -> None:
    with pytest.raises(BadInput) as info:
        validate_body("reply", {"text": object()})
    assert info.value.error_code == "bad_body"


def test_unknown_kind() -> None:
    with pytest.raises(BadInput) as info:
        body_model("sighting")
    assert info.value.error_code == "unknown_kind"


def test_times_are_utc_and_enums_typed() -> None:
    model = validate_body("alert", ALERT | {"valid_until": "2024-05-02T02:00:00+02:00"})
    assert isinstance(model, Alert)
    assert model.urgency is Urgency.FLASH
    assert model.model_dump(mode="json")["valid_until"] == "2024-05-02T00:00:00Z"


def _draft(kind: str, body: dict[str, Any], **links: Any) -> ItemDraft:
    subjects = (DataSubjectCategory.SUSPECT,)
    return ItemDraft(
        kind=kind, author="m", body=body, markings=Markings(subjects=subjects), **links
    )


@pytest.mark.parametrize(
    ("kind", "body", "links", "code"),
    [
        ("reply", {"text": "ok"}, {}, "missing_link"),
        ("reply", {"text": "ok"}, {"refers_to": ID}, "missing_link"),
        ("ack", {"state": "seen", "at": "2024-05-01T12:00:00Z"}, {}, "missing_link"),
        ("tombstone", {"reason": "error"}, {"supersedes": ID}, "missing_link"),
        ("reply", {"text": "ok"}, {"replies_to": ID}, None),
        ("ack", {"state": "seen", "at": "2024-05-01T12:00:00Z"}, {"refers_to": ID}, None),
        ("tombstone", {"reason": "error"}, {"refers_to": ID, "supersedes": ID}, None),
        ("alert", ALERT, {"supersedes": ID}, None),
    ],
)
def test_link_rules(
    kind: str, body: dict[str, Any], links: dict[str, str], code: str | None
) -> None:
    if code is None:
        validate_draft(_draft(kind, body, **links))
    else:
        with pytest.raises(BadInput) as info:
            validate_draft(_draft(kind, body, **links))
        assert info.value.error_code == code


def test_an_envelope_never_links_to_itself(sealed: Envelope) -> None:
    check_links(sealed)
    with pytest.raises(BadInput) as info:
        check_links(sealed.model_copy(update={"supersedes": sealed.id}))
    assert info.value.error_code == "self_link"


def test_persons_in_finds_every_person() -> None:
    model = validate_body("alert", ALERT | {"persons": [PERSON, PERSON | {"category": "victim"}]})
    found = persons_in(model)
    assert [p.category for p in found] == [DataSubjectCategory.SUSPECT, DataSubjectCategory.VICTIM]
    assert all(isinstance(p, PersonalDatum) for p in found)
    assert persons_in(validate_body("reply", {"text": "x"})) == ()


def test_markings_must_declare_every_person_category() -> None:
    body = ALERT | {"persons": [PERSON, PERSON | {"category": "smuggled_migrant"}]}
    with pytest.raises(BadInput) as info:
        validate_draft(_draft("alert", body))
    assert info.value.error_code == "undeclared_subjects"
    assert info.value.details == {"missing": ["smuggled_migrant"]}
    declared = Markings(
        subjects=(DataSubjectCategory.SUSPECT, DataSubjectCategory.SMUGGLED_MIGRANT)
    )
    draft = _draft("alert", body).model_copy(update={"markings": declared})
    assert isinstance(validate_draft(draft), Alert)


def test_registry_guards() -> None:
    class Other(BaseModel):
        x: int

    with pytest.raises(ValueError, match="already registered"):
        register_kind("alert", Other)
    with pytest.raises(ValueError, match="bad kind name"):
        register_kind("Bad Kind", Other)
    with pytest.raises(ValueError, match="unknown link"):
        register_kind("other_kind_for_test", Other, requires=("parent",))
    register_kind("alert", KINDS["alert"])  # re-registering the same model is harmless
    assert "other_kind_for_test" not in KINDS


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [("title", "x" * 201, 200), ("text", "y" * 20_001, 20_000), ("tags", ["t" * 65], 64)],
)
def test_a_long_text_is_told_its_limit_in_characters(field: str, value: Any, limit: int) -> None:
    body = {"title": "Boat", "text": "300 on board", "urgency": "FLASH", field: value}
    with pytest.raises(BadInput) as refused:
        validate_body("alert", body)
    assert f"at most {limit} characters" in str(refused.value.details)
