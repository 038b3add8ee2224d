"""Evidence references on alerts and notes: bounded, strictly shaped, and absent when empty."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csnet.errors import BadInput
from csnet.items.bodies import MAX_EVIDENCE
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.keys import NodeKey
from csnet.items.kinds import validate_body
from csnet.items.signing import KeyLookup, seal, verify_item
from tests.items.conftest import ALERT_BODY, CREATED

SHA = "ab" * 32
REF = {"name": "photo-0412.jpg", "sha256": SHA, "description": "Boat seen from the air"}


def _with(evidence: list[dict[str, Any]]) -> dict[str, Any]:
    return {**ALERT_BODY, "evidence": evidence}


def test_alert_and_note_carry_evidence() -> None:
    alert = validate_body("alert", _with([REF]))
    assert alert.model_dump()["evidence"][0]["sha256"] == SHA
    note = {"title": "Hidden compartments", "text": "Under the floor.", "topic": "concealment"}
    parsed = validate_body("note", {**note, "evidence": [{"name": "a.pdf", "sha256": SHA}]})
    assert parsed.model_dump()["evidence"][0]["description"] is None


@pytest.mark.parametrize(
    "ref",
    [
        {"name": "x", "sha256": SHA.upper()},  # lowercase hex only: one spelling per hash
        {"name": "x", "sha256": SHA[:-2]},
        {"name": " ", "sha256": SHA},
        {"name": "x" * 201, "sha256": SHA},
        {"name": "x", "sha256": SHA, "description": "d" * 501},
        {"name": "x", "sha256": SHA, "size": 12},
    ],
)
def test_bad_references_are_refused(ref: dict[str, Any]) -> None:
    with pytest.raises(BadInput):
        validate_body("alert", _with([ref]))


def test_at_most_twenty_references() -> None:
    refs = [{"name": f"f{i}", "sha256": SHA} for i in range(MAX_EVIDENCE + 1)]
    with pytest.raises(BadInput):
        validate_body("alert", _with(refs))


def test_a_body_without_evidence_seals_to_the_same_bytes(
    draft: ItemDraft, key: NodeKey, sealed: Envelope
) -> None:
    # why: items signed before the field existed must keep their ids
    empty = draft.model_copy(update={"body": _with([])})
    again = seal(empty, key, origin=key.node_id, seq=1, created=CREATED)
    assert again.id == sealed.id and "evidence" not in json.loads(again.to_bytes())["body"]


def test_evidence_survives_sealing_and_verifying(
    draft: ItemDraft, key: NodeKey, lookup: KeyLookup
) -> None:
    env = seal(
        draft.model_copy(update={"body": _with([REF])}),
        key,
        origin=key.node_id,
        seq=1,
        created=CREATED,
    )
    verified, body = verify_item(env.to_bytes(), lookup)
    assert verified.body["evidence"] == [REF]
    assert body.model_dump()["evidence"][0]["name"] == "photo-0412.jpg"
