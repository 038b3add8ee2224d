"""What a document check found (csnet/documents/check.py), as the /documents page shows it: the
zone's reading (decoded, marked in place, said in sentences), this node's register entries, its
items naming the document by their titles, the peers' hit or no-hit by node name, and the
fraud report's prefill (csnet/web/pages/documents_fraud.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csnet.access import Caller
from csnet.correlation.search import Holding
from csnet.documents.check import Checked, check
from csnet.items.document_bodies import DetectionPoint
from csnet.mrz import Reading
from csnet.node import Node
from csnet.web.pages import documents_zone as zone
from csnet.web.pages.search_common import node_names


@dataclass(frozen=True)
class Looked:
    reading: Reading | None  # None: a document alone, no zone
    checked: Checked


def look_up(node: Node, caller: Caller, text: str) -> Looked:
    """The check of `text` here and on the peers (a zone, or a document alone)."""
    checked = check(node, caller, text)
    return Looked(checked.query.reading, checked)


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
    document = looked.checked.query.document
    if document is None:
        return None
    state, doc_type, number = document.value.split(":")
    points = [DetectionPoint.MRZ_CHECK_DIGIT.value] if _check_failed(looked.reading) else []
    if looked.checked.register:
        points.append(DetectionPoint.SLTD_HIT.value)
    return {"state": state, "doc_type": doc_type, "number": number, "points": points}


def results_context(node: Node, looked: Looked, lang: str) -> dict[str, Any]:
    reading, checked = looked.reading, looked.checked
    document = checked.query.document
    names = node_names(node)
    return {
        "reading": reading,
        "decoded": zone.decoded_fields(reading, lang) if reading else [],
        "zone_lines": zone.zone_runs(reading) if reading else [],
        "zone_errors": [zone.sentence(f) for f in reading.errors] if reading else [],
        "zone_warnings": [zone.sentence(f) for f in reading.warnings] if reading else [],
        "zone_repairs": [zone.repair_sentence(r) for r in reading.repairs] if reading else [],
        "document": document.value if document else None,
        "items": [_item_view(h, names) for h in checked.items],
        "register": checked.register,
        "network": checked.network,
        "fraud": fraud_prefill(looked),
    }
