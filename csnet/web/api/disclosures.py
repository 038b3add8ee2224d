"""Disclosure requests: open one after a hit, list them, and (at the holder) approve or decline.

The request and the answer are signed items (correlation/disclosure_ops.py); these routes show
their state. Values and justifications appear only with an X-Justification (LED Art 25).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from csnet.correlation import disclosure_ops
from csnet.correlation.disclosure_ops import Shown
from csnet.node import Node
from csnet.web.api.items import _decode_cursor, _encode_cursor
from csnet.web.deps import CallerDep, NodeDep

router = APIRouter(prefix="/disclosures", tags=["disclosures"])
Limit = Annotated[int, Query(ge=1, le=200)]
Before = Annotated[str | None, Query(max_length=200, description="cursor from next_before")]
RequestId = Annotated[
    str, Path(pattern=r"^[0-9a-f]{8,64}$", description="request id, or a unique prefix of 8+")
]
Text = Annotated[str, Field(min_length=1, max_length=4000, pattern=r"\S")]


class DisclosureRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    peer: str = Field(pattern=r"^csn[a-z2-7]{24}$", description="the holder's node id")
    value_type: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="phone, wallet …")
    value: str = Field(min_length=1, max_length=600, description="the value, written any way")
    justification: Text


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text
    item: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{8,64}$",
        description="the item to disclose (id or unique prefix); else the newest holding it",
    )


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text


class DisclosureOut(BaseModel):
    request_id: str
    direction: Literal["incoming", "outgoing"]
    asker: str
    holder: str
    value_type: str
    value: str | None = Field(description="null when restricted")
    justification: str | None = Field(description="null when restricted")
    requested_by: str
    status: Literal["pending", "approved", "declined"]
    requested_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    disclosure_id: str | None = Field(description="the disclosure item that answered it")
    restricted: bool = Field(description="personal data: resend with X-Justification to see it")


class DisclosurePage(BaseModel):
    disclosures: list[DisclosureOut]
    next_before: str | None = Field(description="pass as ?before= for the next page")


def _out(shown: Shown, node_id: str) -> DisclosureOut:
    return DisclosureOut.model_validate(disclosure_ops.to_json(shown, node_id))


def _echo(node: Node, request_id: str) -> DisclosureOut:
    return _out(disclosure_ops.after_action(node, request_id), node.node_id)


@router.get("", response_model=DisclosurePage)
def list_disclosures(
    node: NodeDep,
    who: CallerDep,
    status: Literal["pending", "approved", "declined"] | None = None,
    direction: Literal["incoming", "outgoing"] | None = None,
    limit: Limit = 50,
    before: Before = None,
) -> DisclosurePage:
    """Requests to and from this node, newest first."""
    shown = disclosure_ops.list_requests(
        node, who, status=status, direction=direction, before=_decode_cursor(before), limit=limit
    )
    last = shown[-1].request if len(shown) == limit else None
    cursor = None if last is None else (last.requested_at.isoformat(), last.request_id)
    return DisclosurePage(
        disclosures=[_out(s, node.node_id) for s in shown], next_before=_encode_cursor(cursor)
    )


@router.get("/{request_id}", response_model=DisclosureOut)
def show_disclosure(request_id: RequestId, node: NodeDep, who: CallerDep) -> DisclosureOut:
    return _out(disclosure_ops.show(node, who, request_id), node.node_id)


@router.post("", response_model=DisclosureOut, status_code=201)
def open_disclosure(body: DisclosureRequestIn, node: NodeDep, who: CallerDep) -> DisclosureOut:
    """Ask a peer to disclose what it holds on one value (typically after a PSI hit)."""
    env = disclosure_ops.open_request(
        node, who, body.peer, body.value_type, body.value, body.justification
    )
    return _echo(node, env.id)


@router.post("/{request_id}/approve", response_model=DisclosureOut)
def approve_disclosure(
    request_id: RequestId, body: ApproveIn, node: NodeDep, who: CallerDep
) -> DisclosureOut:
    """Release one of this node's items, with its markings, to the asking node."""
    disclosure_ops.approve(node, who, request_id, body.reason, body.item)
    return _echo(node, request_id)


@router.post("/{request_id}/decline", response_model=DisclosureOut)
def decline_disclosure(
    request_id: RequestId, body: DeclineIn, node: NodeDep, who: CallerDep
) -> DisclosureOut:
    disclosure_ops.decline(node, who, request_id, body.reason)
    return _echo(node, request_id)
