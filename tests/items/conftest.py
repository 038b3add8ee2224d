"""Tiny named fixtures for the items tests: fixed keys, a fixed draft, a forced signer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from csnet.handling.categories import DataSubjectCategory
from csnet.handling.grading import AdmiraltyGrade
from csnet.handling.markings import TLP, Markings
from csnet.items.envelope import Audience, Envelope, ItemDraft
from csnet.items.keys import NodeKey, b64url
from csnet.items.signing import KeyLookup, item_digest, seal

CREATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
ALERT_BODY: dict[str, Any] = {
    "title": "Rubber boat expected tonight",
    "text": "Departure from the beach east of Zuwara around 02:00, about 40 people.",
    "urgency": "FLASH",
    "place": {"name": "Zuwara", "lat": 32.93, "lon": 12.08},
    "valid_until": "2024-05-02T00:00:00Z",
    "tags": ["boat", "night"],
    "route": "Central Mediterranean",
    "persons": [{"name": "Skipper X", "category": "suspect", "basis": "assessment"}],
}


@pytest.fixture
def key() -> NodeKey:
    return NodeKey.from_seed(bytes(range(32)))


@pytest.fixture
def other_key() -> NodeKey:
    return NodeKey.from_seed(bytes(range(32, 64)))


@pytest.fixture
def lookup(key: NodeKey, other_key: NodeKey) -> KeyLookup:
    return {key.node_id: key.public_key, other_key.node_id: other_key.public_key}.get


@pytest.fixture
def draft(key: NodeKey) -> ItemDraft:
    return ItemDraft(
        kind="alert",
        author="officer-7",
        audience=Audience(nodes=(key.node_id,), groups=("central-med",)),
        markings=Markings(tlp=TLP.AMBER, subjects=(DataSubjectCategory.SUSPECT,)),
        grading=AdmiraltyGrade(source="B", information="2"),
        body=ALERT_BODY,
    )


@pytest.fixture
def sealed(draft: ItemDraft, key: NodeKey) -> Envelope:
    return seal(draft, key, origin=key.node_id, seq=1, created=CREATED)


@pytest.fixture
def force_seal(key: NodeKey) -> Callable[..., Envelope]:
    """Sign anything shaped like an envelope, skipping the content checks `seal` makes."""

    def sign(**changes: Any) -> Envelope:
        fields: dict[str, Any] = {
            "kind": "alert",
            "author": "officer-7",
            "origin": key.node_id,
            "seq": 1,
            "created": CREATED,
            "body": dict(ALERT_BODY),
            "id": "0" * 64,
            "sig": "A" * 86,
        }
        fields.update(changes)
        proto = Envelope(**fields)
        digest = item_digest(proto)
        return proto.model_copy(update={"id": digest.hex(), "sig": b64url(key.sign(digest))})

    return sign
