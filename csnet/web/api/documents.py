"""The document check over JSON (`POST /documents/check`): a thin adapter over
csnet.documents.check, the service `csnet doc check` shares (docs/documents.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from csnet.documents.check import check
from csnet.documents.query import MAX_TEXT
from csnet.safe_text import MultiLine
from csnet.web.deps import CallerDep, NodeDep
from csnet.web.schemas import Strict

router = APIRouter(tags=["documents"])


class DocumentCheckIn(Strict):
    text: MultiLine = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description="a machine-readable zone (its lines), or a document: PAK:P:AB1234567, "
        "passport AB1234567 PAK",
    )
    network: bool = Field(default=True, description="also ask every active peer by PSI")


class DocumentCheckOut(BaseModel):
    valid: bool | None = Field(
        description="the zone well formed, every check digit holding; "
        "null for a document given without a zone"
    )
    format: str | None = Field(description="TD1, TD2, TD3, MRV-A, MRV-B; null without a zone")
    expired: bool | None
    document: str | None = Field(description="the canonical document, STATE:TYPE:NUMBER")
    fields: dict[str, Any]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    repairs: list[dict[str, Any]]
    # why: `register` is a BaseModel attribute; the JSON name is kept through the alias
    register_entries: list[dict[str, Any]] = Field(
        alias="register", description="this node's register entry, if any"
    )
    items: list[dict[str, Any]] = Field(description="items here naming the document")
    network: list[dict[str, Any]] | None = Field(
        description="per active peer: hits in its register and its items; null when not asked"
    )
    found: bool = Field(description="a register entry, an item or a peer's hit")


@router.post("/documents/check", response_model=DocumentCheckOut)
def check_document(body: DocumentCheckIn, node: NodeDep, who: CallerDep) -> DocumentCheckOut:
    """Validate a zone and look its document up here and on the peers. A consultation of
    personal data: needs X-Justification, and is audited."""
    checked = check(node, who, body.text, ask_network=body.network)
    return DocumentCheckOut.model_validate(checked.to_json())
