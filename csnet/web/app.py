"""create_app(node): the FastAPI application of one node. Every error answers in one body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

import csnet
from csnet.errors import CsnetError, error_body, retry_after
from csnet.node import Node
from csnet.web import pages
from csnet.web.api import (
    audit,
    auth,
    consent,
    disclosures,
    documents,
    federation,
    fraud_reports,
    groups,
    health,
    hits,
    indicators,
    items,
    live,
    members,
    tokens,
)
from csnet.web.json_depth import JsonBodyCheck, replay
from csnet.web.schemas import ErrorBody

log = logging.getLogger("csnet.web")
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}
HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthenticated",
    400: "bad_request",
}


class BodyLimit:
    """Refuse bodies over the limit with 413 before anyone parses them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _send_413(send, self.limit)
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        # A body without a declared length is read (up to the limit) before anyone parses it.
        body = await self._read_capped(receive)
        if body is None:
            await _send_413(send, self.limit)
            return
        await self.app(scope, replay(body, receive), send)

    async def _read_capped(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class NoNul:
    """Refuse a NUL character in the path or query string with 422: no text column takes one
    (PostgreSQL refuses it outright), and no identifier, name or filter contains one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _has_nul(scope):
            response = JSONResponse(
                error_body("invalid_input", "NUL characters are not accepted"), status_code=422
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    query = bytes(scope.get("query_string", b"")).lower()
    raw_path = bytes(scope.get("raw_path") or b"").lower()
    return "\x00" in str(scope.get("path", "")) or b"%00" in query or b"%00" in raw_path


async def _send_413(send: Send, limit: int) -> None:
    response = JSONResponse(
        error_body("too_large", f"request body over {limit} bytes"), status_code=413
    )
    await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(CsnetError)
    async def csnet_error(request: Request, exc: CsnetError) -> Response:
        if pages.is_page(request):
            return pages.error_page(request, exc.status, exc.error_code, exc.message)
        return JSONResponse(exc.body(), status_code=exc.status, headers=retry_after(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
        message = f"{'.'.join(first['loc'])}: {first['msg']}"
        body = error_body("invalid_input", message, {"problems": problems})
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        if pages.is_page(request):
            return pages.error_page(request, exc.status_code, code, str(exc.detail))
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(DataError)
    async def refused_by_database(_request: Request, exc: DataError) -> JSONResponse:
        # why: text the database cannot hold (a NUL inside JSON text) is bad input, not a bug;
        # the transaction was rolled back, so nothing is half-stored
        if "NUL" not in str(exc.orig):
            log.exception("database refused data", exc_info=exc)
            return JSONResponse(error_body("internal_error", "internal error"), status_code=500)
        return JSONResponse(
            error_body("invalid_input", "NUL characters are not accepted"), status_code=422
        )

    @app.exception_handler(Exception)
    async def bug(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "internal error"), status_code=500)


def create_app(node: Node) -> FastAPI:
    app = FastAPI(
        title=f"csnet node {node.identity.name}",
        version=csnet.__version__,
        description="API of a csnet node (Peer-to-Peer Practitioner Network against migrant "
        "smuggling). Authenticate with `Authorization: Bearer <token>` or a login session.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.state.node = node
    _install_handlers(app)
    routers = (
        *(health, auth, members, tokens, items, hits, audit, federation, live, groups, consent),
        disclosures,
        indicators,
        fraud_reports,
        documents,
    )
    for module in routers:
        app.include_router(module.router, prefix="/api/v1")
    pages.install(app)
    app.add_middleware(JsonBodyCheck)  # inside BodyLimit: it reads bodies already capped
    app.add_middleware(BodyLimit, limit=int(node.settings.max_request_bytes))
    app.add_middleware(NoNul)
    return app
