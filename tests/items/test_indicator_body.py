"""The `indicator` kind: a canonical typed value, refused with its reason otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.errors import BadInput
from csnet.items.indicator_body import IndicatorBody
from csnet.items.kinds import stated_indicators, validate_body

PHONE = {"value_type": "phone", "value": "+923001234567", "context": "recruitment post"}


@pytest.mark.parametrize(
    "body",
    [
        PHONE,
        PHONE | {"tags": ["ads"], "persons": [{"name": "A. B.", "category": "suspect"}]},
        {"value_type": "vessel", "value": "imo:9074729", "context": "seen off Zuwara"},
        {"value_type": "plate", "value": "GR:IKA1234", "context": "van at the border"},
    ],
)
def test_canonical_values_are_accepted(body: dict[str, Any]) -> None:
    assert isinstance(validate_body("indicator", body), IndicatorBody)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (PHONE | {"value": "+92 300 1234567"}, "write it as '+923001234567'"),
        (PHONE | {"value_type": "vessel", "value": "imo:9074723"}, "check digit"),
        (PHONE | {"value_type": "nosuch"}, "unknown identifier type"),
        (PHONE | {"context": " "}, "pattern"),
        ({"value_type": "phone", "value": "+923001234567"}, "field required"),
        (PHONE | {"comment": "x"}, "extra inputs"),
        (PHONE | {"value": "+9230\x1b[2J"}, "control character u+001b"),
    ],
)
def test_other_bodies_are_refused_with_the_reason(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadInput) as refused:
        validate_body("indicator", body)
    assert refused.value.error_code == "bad_body"
    assert any(reason in e["msg"].lower() for e in refused.value.details["errors"])


def test_only_indicator_items_state_a_value() -> None:
    (stated,) = stated_indicators("indicator", PHONE)
    assert (stated.type, stated.value) == ("phone", "+923001234567")
    assert stated_indicators("note", PHONE) == []
    # why: a body this version cannot read states nothing rather than failing correlation
    assert stated_indicators("indicator", PHONE | {"value_type": "nosuch"}) == []
