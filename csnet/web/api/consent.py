"""H2 consents: who may pass this node's H2 items on (docs/federation.md §8).

Any member reads the consents this node holds; only the item's author or a supervisor of its
node grants or withdraws one (the provider decides on dissemination, Europol Reg Art 20(2)).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from csnet.access import Caller
from csnet.federation import consent_ops
from csnet.node import Node
from csnet.reading import get_visible
from csnet.web.deps import CallerDep, NodeDep

router = APIRouter(prefix="/consents", tags=["consents"])
NodeId = Annotated[str, Field(pattern=r"^csn[a-z2-7]{24}$")]
GroupId = Annotated[str, Field(pattern=r"^grp-[0-9a-f]{20}$")]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(min_length=4, max_length=64, pattern=r"^[0-9a-f]+$")
    relay_to_nodes: list[NodeId] = Field(default=[], max_length=1024)
    relay_to_groups: list[GroupId] = Field(default=[], max_length=256)
    expires: AwareDatetime | None = None
    purpose: str = Field(min_length=1, max_length=2000, pattern=r"\S")


def _visible(node: Node, who: Caller, item_id: str) -> str:
    """The full id of an item the caller may see (404 when not theirs to see at all)."""
    return get_visible(node, who, item_id).envelope.id


def _issuer(who: Caller) -> consent_ops.Issuer:
    return consent_ops.member_issuer(who.member, who.justification)


@router.get("")
def list_consents(node: NodeDep, _who: CallerDep) -> list[dict[str, Any]]:
    """Every consent this node holds, its own and those of other origins, with its state."""
    return consent_ops.list_consents(node)


@router.post("", status_code=201)
def grant_consent(body: ConsentIn, node: NodeDep, who: CallerDep) -> dict[str, Any]:
    """Consent to holders passing this node's H2 item on to the nodes and groups named."""
    item_id = _visible(node, who, body.item)
    request = consent_ops.Request(
        frozenset(body.relay_to_nodes), frozenset(body.relay_to_groups), body.purpose, body.expires
    )
    return consent_ops.grant(node, item_id, request, _issuer(who)).to_json(node.now())


@router.delete("/{ident}")
def withdraw_consent(ident: str, node: NodeDep, who: CallerDep) -> dict[str, Any]:
    """Withdraw the consent for an item (the item's id, or the consent's)."""
    item_id = _visible(node, who, consent_ops.item_of(node, ident))
    return consent_ops.withdraw(node, item_id, _issuer(who)).to_json(node.now())
