"""The live feed, the app's home: newest first, filtered, paged, with unread marks; new entries
arrive over Server-Sent Events as the same rendered fragments the page lists."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csnet.alerts import feed_marks
from csnet.alerts.names import Names, load_names
from csnet.errors import BadInput
from csnet.federation import group_ops
from csnet.feed import engine
from csnet.feed.filters import FeedFilters
from csnet.feed.index import Key, key_of
from csnet.items.bodies import FRONTEX_ROUTES, Urgency
from csnet.node import Node
from csnet.reading import audit_consultation
from csnet.web.api import live_ws
from csnet.web.deps import NodeDep
from csnet.web.pages.auth import PageUserDep
from csnet.web.pages.feed_live import LastEventId, live_response
from csnet.web.pages.feed_view import item_row
from csnet.web.pages.i18n import gettext as _
from csnet.web.pages.render import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=100)]
Cursor = Annotated[str, Query(max_length=200)]
Seconds = Annotated[float, Query(gt=0, le=live_ws.MAX_SECONDS)]
After = Annotated[int | None, Query(ge=0)]
URGENCIES = tuple(u.value for u in Urgency)


def filters_of(urgency: str, group: str, tag: str, route: str, origin: str) -> FeedFilters:
    wanted = urgency.strip().upper()
    if wanted and wanted not in URGENCIES:
        raise BadInput(_("Unknown urgency."), code="bad_filter")
    return FeedFilters(wanted, group.strip(), tag.strip(), route.strip(), origin.strip())


def encode_cursor(key: Key) -> str:
    created, item_id = key
    return base64.urlsafe_b64encode(f"{created.isoformat()}|{item_id}".encode()).decode()


def decode_cursor(text: str) -> Key | None:
    if not text:
        return None
    try:
        created, item_id = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        return key_of(created, item_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        broken = _("This page link is broken; start from the newest.")
        raise BadInput(broken, code="bad_cursor") from None


def _choices(node: Node, names: Names) -> dict[str, Any]:
    """What the filter form offers: groups this node belongs to, this node and its peers."""
    group_list = [(g.id, g.name) for g in group_ops.joined(node)]  # by name
    others = sorted((n for n in names.nodes.items() if n[0] != node.node_id), key=lambda p: p[1])
    return {
        "groups": group_list,
        "origins": [(node.node_id, node.identity.name), *others],
        "routes": FRONTEX_ROUTES,
        "urgencies": URGENCIES,
    }


@router.get("/", response_class=HTMLResponse)
def feed_page(
    request: Request,
    node: NodeDep,
    user: PageUserDep,
    urgency: Text = "",
    group: Text = "",
    tag: Text = "",
    route: Text = "",
    origin: Text = "",
    before: Cursor = "",
) -> HTMLResponse:
    filters = filters_of(urgency, group, tag, route, origin)
    cursor = decode_cursor(before)
    found = engine.read_page(
        node,
        user.caller,
        filters,
        before=cursor,
        limit=PAGE_SIZE,
        max_scan=engine.MAX_SCAN,  # why: read here, so that a test can make the bound small
        via="feed",
    )
    state = feed_marks.unread(node, user.member)
    shown = found.entries + state.flash
    # LED Art 25: the FLASH alerts above the feed are consultations too (the page's own entries
    # were audited by the engine)
    listed = {s.item.envelope.id for s in found.entries}
    flash = [s.item.envelope for s in state.flash if s.item.envelope.id not in listed]
    audit_consultation(node, user.caller, [e for e in flash if e.markings.subjects], "feed")
    names = load_names(node, (s.item.envelope.author for s in shown))
    query = filters.query()
    next_url = None
    if found.next_before is not None:
        next_url = "/?" + urlencode({**query, "before": encode_cursor(found.next_before)})
    context = {
        "current_section": "feed",
        "filters": filters,
        "rows": [item_row(s, names, state.since) for s in found.entries],
        "flash_rows": [item_row(s, names, state.since) for s in state.flash],
        "unread": state.count,
        "unread_capped": state.capped,
        "unread_cap": feed_marks.UNREAD_CAP,
        "next_url": next_url,
        "bounded": found.bounded,
        "scanned_max": engine.MAX_SCAN,
        "paged": cursor is not None,
        "live_src": "/feed/live" + ("?" + urlencode(query) if query else ""),
        **_choices(node, names),
    }
    return render(request, "feed.html", context)


@router.post("/feed/read")
def mark_read(request: Request, node: NodeDep, user: PageUserDep) -> Response:
    feed_marks.mark_read(node, user.member.id)
    if request.headers.get("hx-request"):
        return Response(status_code=204)
    return RedirectResponse("/", status_code=303)


@router.get("/feed/live")
async def feed_live(
    node: NodeDep,
    user: PageUserDep,
    urgency: Text = "",
    group: Text = "",
    tag: Text = "",
    route: Text = "",
    origin: Text = "",
    seconds: Seconds = live_ws.DEFAULT_SECONDS,
    after: After = None,
    last_event_id: LastEventId = None,
) -> Response:
    filters = filters_of(urgency, group, tag, route, origin)
    resume = last_event_id if last_event_id is not None else after
    return await live_response(node, user, filters, resume, seconds)
