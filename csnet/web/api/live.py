"""The member's live stream over Server-Sent Events (and, via live_ws, WebSocket)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from csnet.bus import Gap, Subscription
from csnet.live import LiveHit, LiveItem, updates
from csnet.web.api import live_ws
from csnet.web.api.hits import hit_out
from csnet.web.api.items import item_out
from csnet.web.deps import CallerDep, NodeDep

router = APIRouter(tags=["live"])
router.include_router(live_ws.router)
RETRY_MS = 3000
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


class EventStream(StreamingResponse):
    """text/event-stream whose subscription ends with the response, however it ends."""

    media_type = "text/event-stream"

    def __init__(self, body: AsyncGenerator[bytes], sub: Subscription) -> None:
        super().__init__(body, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self.events, self.sub = body, sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A disconnect can leave the generator suspended: end it and its subscription now.
            self.sub.close()
            await self.events.aclose()


def gap_out(gap: Gap) -> tuple[str | None, dict[str, Any]]:
    """The gap as data, and the id to resume from (none when dropped for being slow: resume from
    the last event received)."""
    data = {"after": gap.after, "resume_from": gap.resume_from, "reason": gap.reason}
    return (None if gap.reason == "slow" else str(gap.resume_from - 1)), data


def _frame(event_id: str | None, event: str, data: str) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n".encode()


def _sse(update: LiveItem | LiveHit | Gap | None) -> bytes:
    if update is None:
        return b": heartbeat\n\n"
    if isinstance(update, Gap):
        event_id, data = gap_out(update)
        return _frame(event_id, "gap", json.dumps(data))
    if isinstance(update, LiveHit):
        return _frame(str(update.seq), "hit", hit_out(update.hit).model_dump_json())
    out = item_out(update.item, update.restricted)
    return _frame(str(update.seq), out.kind, out.model_dump_json())


async def _body(stream: AsyncGenerator[LiveItem | LiveHit | Gap | None]) -> AsyncGenerator[bytes]:
    yield f"retry: {RETRY_MS}\n\n".encode()  # also tells the client it is subscribed
    try:
        async for update in stream:
            yield _sse(update)
    finally:
        await stream.aclose()


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
    return EventStream(_body(live), sub)
