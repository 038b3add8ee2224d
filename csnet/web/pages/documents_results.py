"""What a document check found, as the /documents page shows it: the zone's reading (decoded,
marked in place, said in sentences), this node's items naming the document by their titles,
and the fraud report's prefill (csnet/web/pages/documents_fraud.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csnet import mrz
from csnet.access import Caller
from csnet.correlation.search import Holding, consulted, matches_of
from csnet.errors import BadInput
from csnet.indicators import registry
from csnet.indicators.base import Indicator, InvalidIdentifier
from csnet.items.document_bodies import DetectionPoint
from csnet.mrz import Reading
from csnet.node import Node
from csnet.reading import audit_consultation
from csnet.web.pages import documents_zone as zone
from csnet.web.pages.search_common import node_names

_ZONE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


@dataclass(frozen=True)
class Looked:
    reading: Reading | None  # None: a document alone, no zone
    document: Indicator | None  # None: no document could be read from the zone
    items: list[Holding]


def is_zone(text: str) -> bool:
    compact = "".join(text.upper().split())
    return "<" in compact and len(compact) >= 60 and set(compact) <= _ZONE_CHARS


def look_up(node: Node, caller: Caller, text: str, reading: Reading | None = None) -> Looked:
    """The zone's reading (the photo's, when given) and what this node holds on its document."""
    if reading is None:
        if not is_zone(text):
            raise BadInput("not a machine-readable zone", code="bad_query")
        reading = mrz.read(text, node.now().date())
    try:
        document = registry.parse("document", text.upper())
    except InvalidIdentifier:
        return Looked(reading, None, [])
    (match,) = matches_of(node, caller, [document])
    audit_consultation(node, caller, consulted([match]), via="document check")
    return Looked(reading, document, match.items)


def _item_view(held: Holding, names: dict[str, Any]) -> dict[str, Any]:
    env = held.item.envelope
    origin = names.get(env.origin)
    return {
        "id": env.id,
        "kind": env.kind,
        "title": None if held.restricted else env.body.get("title"),
        "origin": origin.name if origin else env.origin[:12],
        "created": env.created,
        "protected": held.protected,
    }


def _check_failed(reading: Reading | None) -> bool:
    return reading is not None and any(
        "check digit" in f.message or "no reading holds" in f.message for f in reading.errors
    )


def fraud_prefill(looked: Looked) -> dict[str, Any] | None:
    """The fraud report form's document and pre-ticked detection points; None: no document."""
    if looked.document is None:
        return None
    state, doc_type, number = looked.document.value.split(":")
    points = [DetectionPoint.MRZ_CHECK_DIGIT.value] if _check_failed(looked.reading) else []
    return {"state": state, "doc_type": doc_type, "number": number, "points": points}


def results_context(node: Node, looked: Looked, lang: str) -> dict[str, Any]:
    reading = looked.reading
    names = node_names(node)
    return {
        "reading": reading,
        "decoded": zone.decoded_fields(reading, lang) if reading else [],
        "zone_lines": zone.zone_runs(reading) if reading else [],
        "zone_errors": [zone.sentence(f) for f in reading.errors] if reading else [],
        "zone_warnings": [zone.sentence(f) for f in reading.warnings] if reading else [],
        "zone_repairs": [zone.repair_sentence(r) for r in reading.repairs] if reading else [],
        "document": looked.document.value if looked.document else None,
        "items": [_item_view(h, names) for h in looked.items],
        "register": None,
        "network": None,
        "fraud": fraud_prefill(looked),
    }
