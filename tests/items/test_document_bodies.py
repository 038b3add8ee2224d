"""The `document_fraud` kind: a strict body, and the document it states as an identifier."""

from __future__ import annotations

from typing import Any

import pytest

from csnet.errors import BadInput
from csnet.items.document_bodies import FRAUD_KIND
from csnet.items.kinds import stated_indicators, validate_body


def fraud_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Counterfeit passport at the ferry terminal",
        "document": {"state": "UTO", "doc_type": "P", "number": "L898902C3"},
        "fraud_type": "counterfeit",
        "detection_points": ["mrz_check_digit", "uv_ir_anomaly"],
        "detected_at": "2026-12-01T06:40:00Z",
        "text": "Offset print under UV; the expiry check digit fails.",
    }
    body.update(overrides)
    return body


def test_a_report_validates_and_states_its_document() -> None:
    validate_body(FRAUD_KIND, fraud_body())
    (found,) = stated_indicators(FRAUD_KIND, fraud_body())
    assert (found.type, found.value) == ("document", "UTO:P:L898902C3")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"document": {"state": "UTO", "doc_type": "P", "number": "L898902C36"}},
         "write it as 'UTO:P:L898902C3'"),
        ({"document": {"state": "DEU", "doc_type": "P", "number": "C01X0006H"}},
         "write it as 'D:P:C01X0006H'"),
        ({"document": {"state": "ABC", "doc_type": "P", "number": "C01X0006H"}},
         "not an ICAO or ISO 3166 country code"),
        ({"fraud_type": "fake"}, "fraud_type"),
        ({"detection_points": []}, "detection_points"),
        ({"detection_points": ["erasure", "erasure"]}, "each detection point once"),
        ({"detected_at": "2026-12-01T06:40:00"}, "detected_at"),
    ],
)  # fmt: skip
def test_bad_reports_are_refused_with_the_reason(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(BadInput) as raised:
        validate_body(FRAUD_KIND, fraud_body(**change))
    assert raised.value.error_code == "bad_body"
    assert expected in raised.value.message or expected in str(raised.value.details)


def test_a_body_that_no_longer_reads_states_nothing() -> None:
    assert stated_indicators(FRAUD_KIND, {"document": "UTO:P:L898902C3"}) == []
    broken = fraud_body(document={"state": "??", "doc_type": "P", "number": "X"})
    assert stated_indicators(FRAUD_KIND, broken) == []
