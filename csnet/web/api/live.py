"""The member's live stream over Server-Sent Events (and, via live_ws, WebSocket)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query

from csnet.live import LiveHit, LiveItem, updates
from csnet.web.api import live_ws
from csnet.web.api.hits import hit_out
from csnet.web.api.items import item_out
from csnet.web.deps import CallerDep, NodeDep
from csnet.web.sse import EventStream, event_body, frame

router = APIRouter(tags=["live"])
router.include_router(live_ws.router)
After = Annotated[
    int | None, Query(ge=0, description="resume after this seq (a Last-Event-ID header wins)")
]
LastEventId = Annotated[int | None, Header(ge=0, description="the last `id:` received")]
Seconds = Annotated[
    float,
    Query(
        gt=0,
        le=live_ws.MAX_SECONDS,
        description="close the stream after this many seconds; reconnect with Last-Event-ID "
        "(streams are bounded so that a revoked token or member stops receiving)",
    ),
]
# Before OpenAPI 3.2, the schema of a text/event-stream response describes each event.
SSE_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "event": {"type": "string"},
        "data": {
            "type": "string",
            "description": "JSON: an item (ItemOut), a hit (HitOut), or a gap",
        },
        "retry": {"type": "integer", "minimum": 0},
    },
}
STREAM_DOC = (
    "Events, oldest first: `id:` the bus seq, `event:` the item kind, `data:` the item as in "
    "item lists (personal data as a restricted header). `event: hit` is a correlation hit "
    "(HitOut: two items sharing an indicator value). `event: gap` says events were lost "
    "(reload the lists); `: heartbeat` comments every 15 seconds of quiet."
)


async def _encode(update: LiveItem | LiveHit) -> bytes:
    if isinstance(update, LiveHit):
        return frame(str(update.seq), "hit", hit_out(update.hit).model_dump_json())
    out = item_out(update.item, update.restricted)
    return frame(str(update.seq), out.kind, out.model_dump_json())


@router.get(
    "/stream",
    response_model=None,  # errors answer JSON as everywhere; 200 is the event stream
    summary="Live stream of what concerns me (SSE)",
    description=STREAM_DOC,
    responses={200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}}},
)
async def stream(
    node: NodeDep,
    who: CallerDep,
    after: After = None,
    last_event_id: LastEventId = None,
    max_seconds: Seconds = live_ws.DEFAULT_SECONDS,
) -> EventStream:
    sub = await node.bus.subscribe(last_event_id if last_event_id is not None else after)
    live = updates(node, who.member, sub, seconds=max_seconds)
    return EventStream(event_body(live, _encode), sub)
