"""Refuse JSON request bodies that nest too deeply, name one member twice, or carry NUL, before
FastAPI parses them (which would keep the last of two members silently).

Python's parser recurses once per level: a deep body would end in RecursionError, or in a
structure that later code (pydantic, json.dumps) cannot walk. The depth is counted on the raw
bytes by the one helper (csnet/items/strict_json.py). NUL is refused as in the path and query
(csnet/safe_text.py says why). Federation routes are left to their handlers, which parse with
the same helper and audit each refusal as `peer_refused`.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csnet import safe_text
from csnet.errors import BadInput, CsnetError
from csnet.items import strict_json

FEDERATION = "/api/v1/federation/"


class JsonBodyCheck:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _parsed_as_json(scope):
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        try:
            strict_json.check_depth(body, what="request body")
            strict_json.check_no_duplicates(body, what="request body")
            if strict_json.holds_nul(body):
                raise BadInput(safe_text.NUL_MESSAGE)
        except CsnetError as exc:
            await JSONResponse(exc.body(), status_code=exc.status)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


def _parsed_as_json(scope: Scope) -> bool:
    """Requests whose body FastAPI would parse as JSON: no content type, or a JSON one."""
    if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD"):
        return False
    if str(scope.get("path", "")).startswith(FEDERATION):
        return False
    headers = dict(scope.get("headers", []))
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return not kind or kind == b"application/json" or kind.endswith(b"+json")


async def _read(receive: Receive) -> bytes:
    # why: BodyLimit, outside this middleware, has already capped the size
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over a body already read, then the server's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # the server's own answer (a disconnect) after the body
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
