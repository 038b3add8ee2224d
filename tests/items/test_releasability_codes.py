"""Releasability names real countries and well-formed node ids, locally and from peers;
items stored before the rule still parse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pycountry
import pytest

from csnet.errors import BadInput
from csnet.handling.countries import ISO_3166_ALPHA_2, is_country_code
from csnet.handling.markings import Markings, Releasability
from csnet.items.envelope import Envelope, ItemDraft
from csnet.items.kinds import validate_draft
from csnet.items.signing import KeyLookup, verify_envelope

ALERT = {"title": "Boat", "text": "Leaving tonight", "urgency": "FLASH"}
NOT_COUNTRIES = ["EL", "UK", "XX", "QQ", "EU", "XK", "AC", "TA"]
BAD_NODES = ["csnht6p4ex562c7cizlylrcolmB", "gr-hcg", "CSN" + "a" * 24, "csn" + "a" * 23]


def _draft(**releasability: Any) -> ItemDraft:
    markings = Markings(releasability=Releasability(**releasability))
    return ItemDraft(kind="alert", author="m", body=ALERT, markings=markings)


def test_the_list_is_exactly_the_assigned_codes_of_a_second_source() -> None:
    assert {c.alpha_2 for c in pycountry.countries} == ISO_3166_ALPHA_2
    assert len(ISO_3166_ALPHA_2) == 249
    assert is_country_code("GR") and is_country_code("GB") and not is_country_code("gr")


@pytest.mark.parametrize("code", NOT_COUNTRIES)
@pytest.mark.parametrize("field", ["exclude_countries", "allow_countries"])
def test_a_code_that_names_no_country_is_refused_by_name(code: str, field: str) -> None:
    with pytest.raises(BadInput) as info:
        validate_draft(_draft(**{field: ("GR", code)}))
    assert info.value.error_code == "bad_markings"
    assert code in info.value.message
    assert info.value.details == {"countries": [code]}


@pytest.mark.parametrize("node_id", BAD_NODES)
@pytest.mark.parametrize("field", ["exclude_nodes", "allow_nodes"])
def test_a_malformed_node_id_is_refused_by_name(node_id: str, field: str) -> None:
    with pytest.raises(BadInput) as info:
        validate_draft(_draft(**{field: (node_id,)}))
    assert info.value.error_code == "bad_markings"
    assert repr(node_id) in info.value.message
    assert info.value.details == {"nodes": [node_id]}


def test_real_countries_and_node_ids_pass() -> None:
    node = "csn" + "a2" * 12
    body = validate_draft(
        _draft(exclude_countries=("GR", "GB"), allow_countries=("IT",), exclude_nodes=(node,))
    )
    assert body.model_dump()["title"] == "Boat"


@pytest.mark.parametrize(
    "releasability", [{"exclude_countries": ["EL"]}, {"exclude_nodes": ["gr-hcg"]}]
)
def test_a_received_item_with_such_markings_is_refused(
    force_seal: Callable[..., Envelope], lookup: KeyLookup, releasability: dict[str, Any]
) -> None:
    markings = Markings.model_validate({"releasability": releasability})
    with pytest.raises(BadInput) as info:
        verify_envelope(force_seal(markings=markings).to_bytes(), lookup)
    assert info.value.error_code == "bad_markings"


def test_an_item_stored_before_the_rule_still_parses(
    force_seal: Callable[..., Envelope],
) -> None:
    markings = Markings(releasability=Releasability(exclude_countries=("UK",)))
    raw = force_seal(markings=markings).to_bytes()
    assert Envelope.model_validate_json(raw).markings.releasability.exclude_countries == ("UK",)
