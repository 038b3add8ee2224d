"""One Jinja environment for every page: autoescaped, strict about undefined names, translated
per request, with the filters the templates share (dates, numbers, markings)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

import csnet
from csnet.web.pages import i18n

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = WEB_DIR / "templates"
STATIC = WEB_DIR / "static"


@cache
def static_version(name: str) -> str:
    """A content hash for cache-busting: the URL changes exactly when the file does."""
    path = (STATIC / name).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        raise FileNotFoundError(name)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def _lang(context: Context) -> str:
    return str(context.get("lang", i18n.DEFAULT))


@pass_context
def _datetime(context: Context, value: datetime | None, style: str = "medium") -> str:
    return "" if value is None else i18n.format_datetime(value, _lang(context), style)


@pass_context
def _date(context: Context, value: datetime | None) -> str:
    return "" if value is None else i18n.format_date(value, _lang(context))


@pass_context
def _ago(context: Context, value: datetime | None) -> str:
    if value is None:
        return ""
    return i18n.format_ago(value, datetime.now(UTC), _lang(context))


@pass_context
def _number(context: Context, value: int | float) -> str:
    return i18n.format_number(value, _lang(context))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters.update(datetime=_datetime, date=_date, ago=_ago, number=_number)
    env.globals.update(static=static_url, version=csnet.__version__, languages=i18n.LANGUAGES)
    return env


ENV = _environment()


def render_text(name: str, context: Mapping[str, Any], lang: str) -> str:
    """A template (or fragment) rendered in one language."""
    i18n.activate(lang)
    return ENV.get_template(name).render(context)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A whole page: the request's page context (member, language, CSRF token) plus `context`."""
    page = dict(getattr(request.state, "page", {}))
    page.update(context or {})
    page.setdefault("request", request)
    lang = str(page.get("lang", i18n.DEFAULT))
    return HTMLResponse(render_text(name, page, lang), status_code=status, headers=headers)
