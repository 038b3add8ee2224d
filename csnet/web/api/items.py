"""Alerts, notes, and what can be done to any item: read, reply, acknowledge, correct, erase."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from csnet.access import Caller
from csnet.alerts import actions
from csnet.errors import BadInput
from csnet.feed import engine
from csnet.feed.index import Key, key_of
from csnet.items.bodies import Alert as AlertBody
from csnet.items.bodies import Note as NoteBody
from csnet.items.envelope import Envelope
from csnet.node import Node
from csnet.publishing import NewItem, publish
from csnet.reading import get_visible, thread
from csnet.store.item_store import StoredItem
from csnet.web.deps import NodeDep, PresentedDep
from csnet.web.one_hop import answer
from csnet.web.schemas import (
    AckIn,
    AckSummary,
    EraseIn,
    ItemDetail,
    ItemIn,
    ItemOut,
    ItemPage,
    ReplyIn,
)

router = APIRouter(tags=["items"])
Limit = Annotated[int, Query(ge=1, le=200)]
Before = Annotated[str | None, Query(max_length=200, description="cursor from next_before")]
ItemId = Annotated[
    str, Field(pattern=r"^[0-9a-f]{8,64}$", description="item id, or a unique prefix of 8+")
]


def describe_fields(model: type[BaseModel]) -> str:
    fields = ", ".join(
        f"{name}{'' if info.is_required() else '?'}" for name, info in model.model_fields.items()
    )
    return f"{model.__name__.lower()} body: {{{fields}}}"


# Bodies are validated by the kind registry (strict models, validated from JSON), which answers
# 422 bad_body with every problem listed; the API schema names the fields for readers.
class AlertIn(ItemIn):
    body: dict[str, Any] = Field(description=describe_fields(AlertBody))


class NoteIn(ItemIn):
    body: dict[str, Any] = Field(description=describe_fields(NoteBody))


class CorrectionIn(ItemIn):
    body: dict[str, Any] = Field(description="the full corrected body, valid for the item's kind")


def item_out(held: StoredItem, restricted: bool = False) -> ItemOut:
    env = held.envelope
    return ItemOut(
        id=env.id,
        kind=env.kind,
        origin=env.origin,
        created=env.created,
        tlp=env.markings.tlp.value,
        restricted=restricted,
        superseded_by=held.superseded_by,
        envelope=None if restricted else json.loads(held.raw),
    )


def new_item(kind: str, body: ItemIn, payload: dict[str, Any]) -> NewItem:
    """What the member asks to publish: the body, with the markings, grading and audience."""
    return NewItem(
        kind=kind,
        body=payload,
        markings=body.markings,
        grading=body.grading,
        audience_nodes=tuple(body.audience.nodes),
        audience_groups=tuple(body.audience.groups),
        audience_members=tuple(body.audience.members),
    )


def _encode_cursor(cursor: tuple[str, str] | None) -> str | None:
    if cursor is None:
        return None
    return base64.urlsafe_b64encode("|".join(cursor).encode()).decode()


def _decode_cursor(text: str | None) -> Key | None:
    if not text:
        return None
    try:
        created, item_id = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        return key_of(created, item_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadInput("before: not a cursor from next_before", code="bad_cursor") from None


def _page(page: engine.FeedPage) -> ItemPage:
    items = [item_out(e.item, e.restricted) for e in page.entries]
    last = page.next_before
    cursor = None if last is None else (last[0].isoformat(), last[1])
    return ItemPage(items=items, next_before=_encode_cursor(cursor))


def created_out(env: Envelope) -> ItemOut:
    """What the author just published: echoed back, not a consultation of stored data."""
    return ItemOut(
        id=env.id,
        kind=env.kind,
        origin=env.origin,
        created=env.created,
        tlp=env.markings.tlp.value,
        restricted=False,
        superseded_by=None,
        envelope=env.to_wire(),
    )


@router.post("/alerts", response_model=ItemOut, status_code=201)
async def post_alert(body: AlertIn, node: NodeDep, who: PresentedDep) -> Response:
    return await answer(node, who, lambda c: created_out(publish(node, c, _alert(body))), 201)


def _alert(body: AlertIn) -> NewItem:
    return new_item("alert", body, body.body)


@router.get("/alerts", response_model=ItemPage)
async def list_alerts(
    node: NodeDep, who: PresentedDep, limit: Limit = 50, before: Before = None
) -> Response:
    return await answer(node, who, lambda c: feed_page(node, c, "alert", limit, before))


def feed_page(node: Node, who: Caller, kind: str, limit: int, before: str | None) -> ItemPage:
    cursor = _decode_cursor(before)
    return _page(engine.read_page(node, who, kinds=(kind,), limit=limit, before=cursor))


@router.post("/notes", response_model=ItemOut, status_code=201)
async def post_note(body: NoteIn, node: NodeDep, who: PresentedDep) -> Response:
    new = new_item("note", body, body.body)
    return await answer(node, who, lambda c: created_out(publish(node, c, new)), 201)


@router.get("/notes", response_model=ItemPage)
async def list_notes(
    node: NodeDep, who: PresentedDep, limit: Limit = 50, before: Before = None
) -> Response:
    return await answer(node, who, lambda c: feed_page(node, c, "note", limit, before))


def _ack_summary(held: StoredItem) -> AckSummary:
    env = held.envelope
    return AckSummary(
        node=env.origin,
        member=env.author,
        state=str(env.body["state"]),
        at=datetime.fromisoformat(str(env.body["at"])),
        comment=env.body.get("comment"),
    )


@router.get("/items/{item_id}", response_model=ItemDetail)
async def show_item(item_id: ItemId, node: NodeDep, who: PresentedDep) -> Response:
    """One item, its replies, and who has seen or actioned it."""
    return await answer(node, who, lambda c: _detail(node, c, item_id))


def _detail(node: Node, who: Caller, item_id: str) -> ItemDetail:
    held = get_visible(node, who, item_id)
    replies, acks = thread(node, who, held.envelope.id)
    return ItemDetail(
        item=item_out(held),
        replies=[item_out(r) for r in replies],
        acks=[_ack_summary(a) for a in acks],
    )


@router.post("/items/{item_id}/replies", response_model=ItemOut, status_code=201)
async def post_reply(item_id: ItemId, body: ReplyIn, node: NodeDep, who: PresentedDep) -> Response:
    def work(c: Caller) -> ItemOut:
        return created_out(actions.reply(node, c, item_id, body.text))

    return await answer(node, who, work, 201)


@router.post("/items/{item_id}/acks", response_model=ItemOut, status_code=201)
async def post_ack(item_id: ItemId, body: AckIn, node: NodeDep, who: PresentedDep) -> Response:
    def work(c: Caller) -> ItemOut:
        return created_out(actions.acknowledge(node, c, item_id, body.state, body.comment))

    return await answer(node, who, work, 201)


@router.post("/items/{item_id}/corrections", response_model=ItemOut, status_code=201)
async def post_correction(
    item_id: ItemId, body: CorrectionIn, node: NodeDep, who: PresentedDep
) -> Response:
    """A corrected version that supersedes the item everywhere it went."""
    new = new_item("correction", body, body.body)
    return await answer(
        node, who, lambda c: created_out(actions.correct(node, c, item_id, new)), 201
    )


@router.post("/items/{item_id}/erase", response_model=ItemOut, status_code=201)
async def erase_item(item_id: ItemId, body: EraseIn, node: NodeDep, who: PresentedDep) -> Response:
    """Erase with a signed tombstone that every holder applies (LED Art 16)."""

    def work(c: Caller) -> ItemOut:
        return created_out(actions.erase(node, c, item_id, body.reason, body.legal_basis))

    return await answer(node, who, work, 201)
