"""Body of the `document_fraud` kind: a fraudulent travel or identity document, as detected.

Terms from FADO (Regulation (EU) 2020/493) and the detection points border officers record
(docs/mrz.md; STANDARDS §7). The document is an identifier: its canonical value
(`STATE:TYPE:NUMBER`, csnet/indicators/types/documents.py) is what correlation matches, so a
report filed on one node lights up a check of the same document on another. The holder, if
named, is in `persons` with a data-subject category like any person: a migrant who used a false
document is not thereby a suspect of smuggling (Smuggling Protocol Art 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import Indicator
from csnet.items.bodies import Body, Evidence, Persons, Place, Tags
from csnet.items.fields import Line, LongText, Title, UtcDatetime

FRAUD_KIND = "document_fraud"


class FraudType(StrEnum):
    COUNTERFEIT = "counterfeit"  # a complete reproduction
    FORGED = "forged"  # a genuine document unlawfully altered
    PSEUDO = "pseudo"  # pseudo or fantasy: issued by no recognised authority
    FRAUDULENTLY_OBTAINED = "fraudulently_obtained"  # genuine, obtained by fraud
    IMPOSTOR = "impostor"  # genuine, used by a look-alike
    STOLEN_BLANK = "stolen_blank"  # a genuine blank, filled in


class DetectionPoint(StrEnum):
    MRZ_CHECK_DIGIT = "mrz_check_digit"
    MRZ_VIZ_MISMATCH = "mrz_viz_mismatch"  # the zone does not match the visual zone
    FONT_OR_SPACING = "font_or_spacing"  # wrong OCR-B font or spacing
    PHOTO_SUBSTITUTION = "photo_substitution"
    PAGE_SUBSTITUTION = "page_substitution"
    LAMINATE_TAMPERING = "laminate_tampering"
    ERASURE = "erasure"
    UV_IR_ANOMALY = "uv_ir_anomaly"
    OPTICAL_SECURITY_FEATURE = "optical_security_feature"  # missing or imitated
    INTAGLIO_MICROPRINT = "intaglio_microprint"
    CHIP_AUTHENTICATION = "chip_authentication"  # passive authentication failed
    SLTD_HIT = "sltd_hit"  # found in a stolen and lost register
    OTHER = "other"


class DocumentRef(Body):
    """The document: issuing state (ICAO code), type (P, I, A, C, V …), number and series."""

    state: str = Field(pattern=r"^[A-Z]{1,3}$")
    doc_type: str = Field(pattern=r"^[PIACV][A-Z]?$")
    number: str = Field(pattern=r"^[A-Z0-9]{4,20}$")
    series: Line | None = Field(default=None, min_length=1, max_length=50)

    @property
    def value(self) -> str:
        return f"{self.state}:{self.doc_type}:{self.number}"

    @model_validator(mode="after")
    def _canonical(self) -> Self:
        try:
            canonical = registry.parse("document", self.value).value
        except BadInput as exc:
            raise ValueError(exc.message) from None
        if canonical != self.value:
            raise ValueError(f"document is not canonical: write it as {canonical!r}")
        return self


DetectionPoints = Annotated[tuple[DetectionPoint, ...], Field(min_length=1, max_length=13)]


class DocumentFraud(Body):
    title: Title
    document: DocumentRef
    fraud_type: FraudType
    detection_points: DetectionPoints
    detected_at: UtcDatetime
    place: Place | None = None
    text: LongText
    tags: Tags = ()
    persons: Persons = ()
    evidence: Evidence = ()

    @model_validator(mode="after")
    def _distinct_points(self) -> Self:
        if len(set(self.detection_points)) != len(self.detection_points):
            raise ValueError("each detection point once")
        return self


def fraud_stated(body: Mapping[str, Any]) -> list[Indicator]:
    """The document a report names, read as the identifier it is (none if it no longer reads)."""
    document = body.get("document")
    if not isinstance(document, Mapping):
        return []
    value = f"{document.get('state')}:{document.get('doc_type')}:{document.get('number')}"
    try:
        return [registry.parse("document", value)]
    except BadInput:
        return []
