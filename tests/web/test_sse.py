"""The one SSE framer behind the API's stream and the feed page's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from csnet.bus import Gap
from csnet.web.sse import HEARTBEAT, RETRY_MS, Update, event_body, frame


def test_each_line_of_a_payload_is_its_own_data_field() -> None:
    assert frame("7", "entry", "<li>\n  a\n</li>") == (
        b"id: 7\nevent: entry\ndata: <li>\ndata:   a\ndata: </li>\n\n"
    )
    assert frame(None, "gap", "") == b"event: gap\ndata: \n\n"


def test_the_body_sends_retry_heartbeats_gaps_and_what_the_encoder_frames() -> None:
    sent: list[Any] = []

    async def updates() -> AsyncGenerator[Update]:
        for update in (None, Gap(after=3, resume_from=9, reason="behind"), "a", "skip"):
            yield update  # type: ignore[misc]

    async def encode(update: Any) -> bytes:
        sent.append(update)
        return b"" if update == "skip" else frame("10", "x", update)

    async def collect() -> list[bytes]:
        return [chunk async for chunk in event_body(updates(), encode)]

    chunks = asyncio.run(collect())
    assert chunks == [
        f"retry: {RETRY_MS}\n\n".encode(),
        HEARTBEAT,
        b'id: 8\nevent: gap\ndata: {"after": 3, "resume_from": 9, "reason": "behind"}\n\n',
        b"id: 10\nevent: x\ndata: a\n\n",
    ]
    assert sent == ["a", "skip"]  # heartbeats and gaps never reach the encoder
