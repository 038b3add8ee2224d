"""The live stream over WebSocket: the same events as SSE, as JSON messages.

Protocol: connect; send one JSON hello `{"token"?: str, "after"?: int, "max_seconds"?: number}`
within 10 seconds (the token may instead come in an Authorization header, or a browser's session
cookie from the same origin; never in the URL). The node answers `{"event": "ready", ...}`, then
`{"id": seq, "event": kind, "data": item}` and `{"id": ..., "event": "gap", "data": {...}}`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError
from starlette.websockets import WebSocketState

from csnet.accounts import session_ops, sessions, token_ops
from csnet.accounts.members import Member
from csnet.bus import Gap
from csnet.errors import CsnetError, Forbidden, Unauthenticated
from csnet.items import strict_json
from csnet.live import LiveHit, LiveItem, updates
from csnet.node import Node
from csnet.web.api.hits import hit_out
from csnet.web.api.items import item_out
from csnet.web.deps import SESSION_COOKIE

router = APIRouter()
DEFAULT_SECONDS = 600.0
MAX_SECONDS = 3600.0
HELLO_SECONDS = 10.0
POLICY_VIOLATION = 1008


class Hello(BaseModel, extra="forbid"):
    token: str | None = Field(None, max_length=500)
    after: int | None = Field(None, ge=0)
    max_seconds: float = Field(DEFAULT_SECONDS, gt=0, le=MAX_SECONDS)


def _by_token(node: Node, secret: str) -> Member:
    member, token = token_ops.check(node, secret)
    if "read" not in token.scopes:
        raise Forbidden("this token lacks the 'read' scope", code="scope_denied")
    return member


def _same_origin(ws: WebSocket) -> None:
    # Browsers send cookies with cross-site WebSocket handshakes: only our own pages may use them.
    origin = urlsplit(ws.headers.get("origin", "")).netloc
    if not origin or origin != ws.headers.get("host"):
        raise Forbidden("cross-origin WebSocket refused", code="bad_origin")


def _by_cookie(node: Node, ws: WebSocket, cookie: str) -> Member:
    _same_origin(ws)
    max_age = int(node.settings.session_hours) * 3600
    session_id = sessions.unsign_session_id(node.session_secret, cookie, max_age)
    member, _csrf = session_ops.resolve(node, session_id)
    return member


def authenticate(node: Node, ws: WebSocket, hello: Hello) -> Member:
    """Authorization header, else the hello's token, else the session cookie."""
    scheme, _, secret = ws.headers.get("authorization", "").partition(" ")
    if scheme:
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        return _by_token(node, secret.strip())
    if hello.token:
        return _by_token(node, hello.token)
    cookie = ws.cookies.get(SESSION_COOKIE)
    if cookie:
        return _by_cookie(node, ws, cookie)
    raise Unauthenticated('authentication required: send {"token": ...} first')


async def _hello(ws: WebSocket) -> Hello:
    with anyio.fail_after(HELLO_SECONDS):
        frame = await ws.receive()
    text = frame.get("text")
    if frame["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(int(frame.get("code") or 1000))
    if not isinstance(text, str):
        raise CsnetError("bad hello: send it as a text frame of JSON", code="invalid_input")
    try:
        return Hello.model_validate(strict_json.loads(text, what="hello"))
    except CsnetError as exc:
        raise CsnetError(f"bad hello: {exc.message}", code="invalid_input") from None
    except ValidationError as exc:
        raise CsnetError(f"bad hello: {exc.errors()[0]['msg']}", code="invalid_input") from None


def message(update: LiveItem | LiveHit | Gap) -> dict[str, Any]:
    if isinstance(update, Gap):
        data = {"after": update.after, "resume_from": update.resume_from, "reason": update.reason}
        resume = None if update.reason == "slow" else update.resume_from - 1
        return {"id": resume, "event": "gap", "data": data}
    if isinstance(update, LiveHit):
        hit = json.loads(hit_out(update.hit).model_dump_json())
        return {"id": update.seq, "event": "hit", "data": hit}
    out = item_out(update.item, update.restricted)
    return {"id": update.seq, "event": out.kind, "data": json.loads(out.model_dump_json())}


async def _send_until_gone(ws: WebSocket, node: Node, member: Member, hello: Hello) -> None:
    sub = await node.bus.subscribe(hello.after)
    try:
        await ws.send_json({"event": "ready", "data": {"latest": node.bus.latest_seq}})
        async with anyio.create_task_group() as group:
            group.start_soon(_wait_disconnect, ws, group.cancel_scope)
            async for update in updates(node, member, sub, seconds=hello.max_seconds):
                if update is not None:
                    await ws.send_json(message(update))
            group.cancel_scope.cancel()
    finally:
        sub.close()


async def _wait_disconnect(ws: WebSocket, scope: anyio.CancelScope) -> None:
    # Anything the client sends after the hello is ignored; its leaving ends the stream.
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass
    scope.cancel()


@router.websocket("/ws")
async def live_socket(ws: WebSocket) -> None:
    node: Node = ws.app.state.node
    await ws.accept()
    try:
        hello = await _hello(ws)
        member = await asyncio.to_thread(authenticate, node, ws, hello)
        await _send_until_gone(ws, node, member, hello)
    except WebSocketDisconnect:
        return
    except (CsnetError, TimeoutError) as exc:
        reason = exc.message if isinstance(exc, CsnetError) else "no hello in time"
        await ws.close(POLICY_VIOLATION, reason[:120])
        return
    if ws.client_state is WebSocketState.CONNECTED:  # the stream ran its time: say goodbye
        await ws.close()
