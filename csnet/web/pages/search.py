"""/search: one form, two answers. The text is read as identifiers (type-aware: any writing of a
phone number finds its canonical value) and as words of the items the member may see.

Terms, filters and the justification travel in the POST body only: URLs get logged. Results
with personal data need a justification (LED Art 25): without one they are withheld and the
form asks for it; with one, the domain audits what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from csnet.correlation import search as indicator_search
from csnet.correlation.item_search import ItemResults, search_items
from csnet.correlation.item_text import MAX_QUERY, SKIPPED_KINDS, Filters
from csnet.correlation.search import Match
from csnet.errors import BadInput
from csnet.items.kinds import KINDS
from csnet.node import Node
from csnet.web.deps import NodeDep
from csnet.web.pages import i18n
from csnet.web.pages.auth import PageUser, PageUserDep
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render
from csnet.web.pages.search_common import (
    character_error,
    decode_cursor,
    encode_cursor,
    justification_error,
    label_of,
    node_names,
    type_labels,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
Field = Annotated[str, Form(max_length=4000)]


@dataclass
class Query:
    """The form as entered (kept on re-render), and its errors."""

    q: str = ""
    type: str = ""
    kind: str = ""
    origin: str = ""
    since: str = ""
    until: str = ""
    justification: str = ""
    before: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = _("Give a date as YYYY-MM-DD.")
        return None


def _filters(query: Query) -> Filters:
    since = _day(query.since, "since", query.errors)
    until = _day(query.until, "until", query.errors)
    if since and until and until < since:
        query.errors["until"] = _("The end date is before the start date.")
    kinds = (query.kind,) if query.kind else ()
    return Filters(
        kinds=kinds,
        origin=query.origin or None,
        since=None if since is None else datetime.combine(since, time(), UTC),
        # why: "until" names a day: everything created on it is included
        until=None if until is None else datetime.combine(until + timedelta(days=1), time(), UTC),
    )


def _check(query: Query) -> Filters:
    text = query.q.strip()
    if not text:
        query.errors["q"] = _("Type a word, a phone number or another identifier.")
    elif len(text) > MAX_QUERY:
        query.errors["q"] = _("The search is too long (at most 500 characters).")
    elif problem := character_error(text):
        query.errors["q"] = problem
    if query.type and query.type not in type_labels():
        query.errors["type"] = _("Choose a type from the list.")
    if query.kind and query.kind not in _kinds():
        query.errors["kind"] = _("Choose a kind from the list.")
    if problem := justification_error(query.justification):
        query.errors["justification"] = problem
    return _filters(query)


def _kinds() -> list[str]:
    return sorted(kind for kind in KINDS if kind not in SKIPPED_KINDS)


def _form_context(node: Node, query: Query) -> dict[str, Any]:
    names = node_names(node)
    return {
        "current_section": "search",
        "query": query,
        "errors": query.errors,
        "types": type_labels(),
        "kinds": _kinds(),
        "origins": sorted(names.values(), key=lambda n: n.name.lower()),
        "names": names,
        "ran": False,
        "matches": [],
        "indicator_note": "",
        "results": None,
        "items_note": "",
        "needs_justification": False,
        "next_before": "",
    }


@router.get("/search", response_class=HTMLResponse)
def search_form(request: Request, node: NodeDep, user: PageUserDep) -> HTMLResponse:
    return render(request, "search.html", _form_context(node, Query()))


@router.post("/search", response_class=HTMLResponse)
def search_run(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    q: Annotated[str, Form(max_length=2000)] = "",
    type: Annotated[str, Form(max_length=32)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    origin: Annotated[str, Form(max_length=64)] = "",
    since: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
    justification: Field = "",
    before: Annotated[str, Form(max_length=400)] = "",
) -> HTMLResponse:
    i18n.activate(user.lang)
    query = Query(q, type, kind, origin, since, until, justification.strip(), before)
    filters = _check(query)
    context = _form_context(node, query)
    try:
        cursor = decode_cursor(before, (datetime, str))
    except BadInput as exc:
        query.errors["before"] = exc.message
    if query.errors:
        return render(request, "search.html", context, status=422)
    context.update(_run(node, user, query, filters, cursor))
    return render(request, "search.html", context)


def _run(
    node: Node, user: PageUser, query: Query, filters: Filters, cursor: list[Any] | None
) -> dict[str, Any]:
    caller = user.justified(query.justification)
    matches: list[Match] = []
    indicator_note = ""
    if cursor is None:  # why: the identifiers are answered on the first page only
        try:
            matches = indicator_search.search(node, caller, query.q.strip(), query.type or None)
        except BadInput:
            indicator_note = _("No identifier (phone number, account, wallet …) was recognised.")
    results: ItemResults | None = None
    items_note = ""
    before = None if cursor is None else (cursor[0], cursor[1])
    try:
        results = search_items(
            node, caller, query.q.strip(), filters, limit=PAGE_SIZE, before=before
        )
    except BadInput:
        items_note = _("Give at least one word to search the items' text.")
    restricted = any(h.restricted for m in matches for h in m.items)
    withheld = results.withheld if results else 0
    return {
        "ran": True,
        "matches": [_match_view(m) for m in matches],
        "indicator_note": indicator_note,
        "results": results,
        "items_note": items_note,
        "needs_justification": not query.justification and (restricted or withheld > 0),
        "next_before": encode_cursor(results.next_before if results else None),
    }


def _match_view(match: Match) -> dict[str, Any]:
    indicator = match.indicator
    return {
        "type": indicator.type,
        "label": label_of(indicator.type),
        "value": indicator.value,
        "display": indicator.display,
        "seen": match.value is not None,
        "noisy": bool(match.value and match.value.noisy),
        "first_seen": None if match.value is None else match.value.first_seen,
        "holdings": match.items,
    }
