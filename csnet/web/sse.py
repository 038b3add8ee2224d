"""Server-Sent Events, once for the API's stream and the feed page's: the framing, the gap and
heartbeat events, the body that starts with the retry delay, and the response that ends its
subscription however the connection ends."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from csnet.bus import Gap, Subscription
from csnet.live import LiveHit, LiveItem

RETRY_MS = 3000
HEARTBEAT = b": heartbeat\n\n"
Update = LiveItem | LiveHit | Gap | None  # None: quiet for a while


def frame(event_id: str | None, event: str, data: str) -> bytes:
    """One event; each line of a multi-line payload gets its own `data:` field."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"{head}event: {event}\n{lines}\n".encode()


def gap_out(gap: Gap) -> tuple[str | None, dict[str, Any]]:
    """The gap as data, and the id to resume from (none when dropped for being slow: resume from
    the last event received)."""
    data = {"after": gap.after, "resume_from": gap.resume_from, "reason": gap.reason}
    return (None if gap.reason == "slow" else str(gap.resume_from - 1)), data


async def event_body(
    stream: AsyncGenerator[Update], encode: Callable[[LiveItem | LiveHit], Awaitable[bytes]]
) -> AsyncGenerator[bytes]:
    """The retry delay, then each update as `encode` frames it (b"": none), a gap as `gap`, and
    quiet as a heartbeat comment."""
    yield f"retry: {RETRY_MS}\n\n".encode()  # also tells the client it is subscribed
    try:
        async for update in stream:
            if update is None:
                yield HEARTBEAT
            elif isinstance(update, Gap):
                event_id, data = gap_out(update)
                yield frame(event_id, "gap", json.dumps(data))
            elif framed := await encode(update):
                yield framed
    finally:
        await stream.aclose()


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
