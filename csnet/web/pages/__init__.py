"""The practitioner web app: server-rendered pages (Jinja2 + htmx) over the same domain services
as the API. `install` adds the pages, the static files and the page-aware error answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from csnet.web.deps import secure_cookies
from csnet.web.pages import (
    account,
    admin,
    auth,
    compose,
    disclosures,
    documents,
    documents_fraud,
    feed,
    hits,
    item,
    login,
    search,
)
from csnet.web.pages.render import STATIC, render
from csnet.web.pages.security import LanguageSwitch, SecurityHeaders
from csnet.web.pages.timing import ServerTiming

ROUTERS = (
    login,
    feed,
    compose,
    item,
    search,
    documents,
    documents_fraud,
    hits,
    disclosures,
    account,
    admin,
)


def is_page(request: Request) -> bool:
    """Pages answer errors in HTML; the API (and anything asking for JSON) in the error body."""
    path = request.url.path
    return not path.startswith("/api/") and not path.startswith("/static/")


def error_page(request: Request, status: int, code: str, message: str) -> Response:
    if not hasattr(request.state, "page"):
        node = request.app.state.node
        auth.page_context(request, auth.request_language(request, None), None, node.identity.name)
    context = {"status": status, "code": code, "message": message}
    if request.headers.get("hx-request"):
        return render(request, "_error_fragment.html", context, status=status)
    return render(request, "error.html", context, status=status)


def install(app: FastAPI) -> None:
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(auth.LoginRequired)
    async def to_login(request: Request, exc: auth.LoginRequired) -> Response:
        target = f"/login?next={exc.next_path}"
        if exc.reason:
            target += f"&reason={exc.reason}"
        if request.headers.get("hx-request"):
            # htmx follows HX-Redirect with a full page load instead of swapping a login form in
            return HTMLResponse("", status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    app.add_middleware(LanguageSwitch, secure=secure_cookies(app.state.node))
    app.add_middleware(SecurityHeaders, https=bool(app.state.node.settings.served_over_https))
    app.add_middleware(ServerTiming)


__all__ = ["error_page", "install", "is_page"]
