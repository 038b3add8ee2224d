"""The feed page's live stream: the member's bus updates, filtered as the page is, each sent as
the rendered `<li>` the page itself would list (escaped by the template, like every page)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated

from fastapi import Header

from csnet.alerts.names import load_names
from csnet.feed.engine import Seen
from csnet.feed.filters import FeedFilters
from csnet.live import LiveHit, LiveItem, updates
from csnet.node import Node
from csnet.web.pages.auth import PageUser
from csnet.web.pages.feed_view import Row, hit_row, item_row
from csnet.web.pages.render import render_text
from csnet.web.sse import EventStream, event_body, frame

LastEventId = Annotated[int | None, Header(ge=0)]


def admits(filters: FeedFilters, update: LiveItem | LiveHit) -> bool:
    """Only what the feed lists, narrowed as the page is. Hits name two items, so only the
    origin filter applies to them; with any other filter they are left to the hits page."""
    if isinstance(update, LiveHit):
        if filters.on_body or filters.group:
            return False
        return not filters.origin or update.hit.origin == filters.origin
    env = update.item.envelope
    return filters.admits(env, update.restricted)


def _row(node: Node, update: LiveItem | LiveHit) -> Row:
    if isinstance(update, LiveHit):
        return hit_row(update.hit, load_names(node))
    env = update.item.envelope
    names = load_names(node, [env.author])
    seen = Seen(update.item, update.restricted)
    return item_row(seen, names, None)  # a live entry is new by definition


def entry_html(node: Node, update: LiveItem | LiveHit, lang: str) -> str:
    return render_text("_feed_entry.html", {"row": _row(node, update)}, lang)


async def _encode(
    node: Node, user: PageUser, filters: FeedFilters, update: LiveItem | LiveHit
) -> bytes:
    if not admits(filters, update):
        return b""
    # Names are read from the store, which is synchronous: off the loop.
    html = await asyncio.to_thread(entry_html, node, update, user.lang)
    return frame(str(update.seq), "entry", html)


async def live_response(
    node: Node, user: PageUser, filters: FeedFilters, resume: int | None, seconds: float
) -> EventStream:
    """Bounded like the API's stream, so a closed session stops receiving; the browser
    reconnects with Last-Event-ID and the session is checked again."""
    sub = await node.bus.subscribe(resume)
    live = updates(node, user.member, sub, seconds=seconds)
    return EventStream(event_body(live, partial(_encode, node, user, filters)), sub)
